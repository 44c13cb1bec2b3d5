import { SpanKind, SpanStatusCode, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { Connection } from '../hub/connection.ts';
import type { PreparedPush } from '../hub/prepared-push.ts';
import type { PushTiming } from '../hub/recent-pushes.ts';
import { messagingAttributes, SpanAttributes as A, SpanNames } from './span-attributes.ts';
import { contextFrom } from './trace-context.ts';
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
  };
}
