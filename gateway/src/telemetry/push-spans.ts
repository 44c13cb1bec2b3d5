import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { Connection } from '../hub/connection.ts';
import type { PreparedPush } from '../hub/prepared-push.ts';
import type { PushTiming } from '../hub/recent-pushes.ts';
import { messagingAttributes, SpanAttributes as A, SpanNames } from './span-attributes.ts';
import type { ResumeReport } from './gateway-observer.ts';
import { contextFrom } from './trace-context.ts';
import { sampledTraceId } from './trace-ids.ts';
import { destinationOf, tracer } from './tracing.ts';

/**
 * The spans of one push on this node, each recorded after the fact with its real start and end
 * (fan-out start → write round, write → ack), so the hot path holds no span objects. Which pushes
 * and deliveries get one is the trace observer's decision.
 */
export interface PushSpans {
  /** The push's fan-out on this node, child of the push's trace; returned ended. */
  fanout(prepared: PreparedPush, writtenAt: number): Span;
  /** One delivery (or a slow consumer's drop, `failed`), child of `parent`; returns its span id. */
  delivery(prepared: PreparedPush, parent: Context, connection: Connection, writtenAt: number, failed: boolean): string;
  /** A client's ack, child of the traceparent `parent`. */
  ack(connection: Connection, pushId: string, timing: PushTiming & { writtenAt: number }, ackedAt: number, parent: string | undefined): void;
  /**
   * A resume, as a span of its own, and its replayed pushes whose traces are sampled, each a span
   * in that push's trace linked to the resume (at most `maxReplaySpans`).
   */
  resume(report: ResumeReport, maxReplaySpans: number): void;
}

export interface PushSpansOptions {
  nodeId: string;
  /** Put the (opaque) user id on delivery and ack spans. */
  traceUserIds: boolean;
}

export function createPushSpans(options: PushSpansOptions): PushSpans {
  const { nodeId, traceUserIds } = options;
  const connectionAttributes = (connection: Connection): Attributes => ({
    [A.connection]: connection.id,
    ...(traceUserIds && { [A.user]: connection.user }),
  });

  return {
    fanout(prepared, writtenAt) {
      const { push, timing } = prepared;
      const attributes = {
        ...messagingAttributes('process', 'fanout', push.id),
        [A.messagingDestinationName]: destinationOf(push.to),
        [A.node]: nodeId,
        [A.matched]: prepared.matched,
        [A.written]: prepared.written,
        [A.dropped]: prepared.dropped,
        [A.fanoutDurationMs]: writtenAt - timing.fanoutAt,
      };
      const span = tracer.startSpan(SpanNames.fanout, { kind: SpanKind.CONSUMER, startTime: timing.fanoutAt, attributes }, contextFrom(push.trace));
      if (prepared.dropped > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `${prepared.dropped} deliveries dropped` });
      span.end(writtenAt);
      return span;
    },
    delivery(prepared, parent, connection, writtenAt, failed) {
      const attributes = {
        ...messagingAttributes('send', 'deliver', prepared.push.id),
        [A.node]: nodeId,
        ...connectionAttributes(connection),
        ...(failed && { [A.dropReason]: 'slow_consumer' }),
      };
      const span = tracer.startSpan(SpanNames.deliver, { kind: SpanKind.PRODUCER, startTime: prepared.timing.fanoutAt, attributes }, parent);
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'dropped: slow consumer' });
      span.end(writtenAt);
      return span.spanContext().spanId;
    },
    ack(connection, pushId, timing, ackedAt, parent) {
      const attributes = {
        ...messagingAttributes('settle', 'ack', pushId),
        [A.node]: nodeId,
        ...connectionAttributes(connection),
        [A.writeToAckMs]: ackedAt - timing.writtenAt,
        [A.pushToAckMs]: ackedAt - timing.acceptedAt,
      };
      tracer.startSpan(SpanNames.ack, { kind: SpanKind.CONSUMER, startTime: timing.writtenAt, attributes }, contextFrom(parent)).end(ackedAt);
    },
    resume(report, maxReplaySpans) {
      const { connection, startedAt, endedAt } = report;
      const attributes = {
        [A.node]: nodeId,
        ...connectionAttributes(connection),
        [A.resumeStreams]: report.results.length,
        [A.resumeRecovered]: report.results.filter((stream) => stream.result === 'recovered').length,
        [A.resumeReplayed]: report.replayed.length,
      };
      const span = tracer.startSpan(SpanNames.resume, { kind: SpanKind.SERVER, startTime: startedAt, attributes }, ROOT_CONTEXT);
      span.end(endedAt);
      const links = [{ context: span.spanContext() }];
      let traced = 0;
      for (const message of report.replayed) {
        if (traced >= maxReplaySpans) break;
        if (sampledTraceId(message.push.trace) === undefined) continue;
        traced += 1;
        const replayAttributes = { ...messagingAttributes('send', 'replay', message.push.id), [A.node]: nodeId, ...connectionAttributes(connection) };
        tracer.startSpan(SpanNames.replay, { kind: SpanKind.PRODUCER, startTime: startedAt, attributes: replayAttributes, links }, contextFrom(message.push.trace)).end(endedAt);
      }
    },
  };
}
