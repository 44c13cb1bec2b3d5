import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context } from '@opentelemetry/api';
import type { Connection } from '../hub/connection.ts';
import type { PreparedPush } from '../hub/prepared-push.ts';
import { createDeliveryTraces } from './delivery-traces.ts';
import { ignoringObserver, type GatewayObserver } from './gateway-observer.ts';
import { messagingAttributes, SpanAttributes as A, SpanNames } from './span-attributes.ts';
import { contextFrom, traceparentOf } from './trace-context.ts';
import { destinationOf, tracer } from './tracing.ts';

export interface TraceObserverOptions {
  nodeId: string;
  /** Put the (opaque) user id on delivery spans. */
  traceUserIds: boolean;
  /** A write round slower than this (push accepted → written) gets per-delivery spans on any push. */
  slowDeliveryMs: number;
}

/** Per push and node, the most deliveries (and failed ones) that may get their own span. */
export const TRACED_DELIVERIES = 10;

/** The first connections a sampled push was queued for and dropped at, until its fan-out span is recorded. */
interface DeliveryNotes {
  readonly queued: Connection[];
  readonly dropped: Connection[];
}

/**
 * Records the fan-out, delivery and ack spans of traced pushes. They are recorded after the fact
 * with their real start and end times (fan-out start → write round, write → ack), so the hot path
 * holds no span objects. Per-delivery spans are bounded: every delivery of a push to at most
 * `TRACED_DELIVERIES` connections; for larger fan-outs only failed ones, and a sample when the
 * round was slow.
 */
export function createTraceObserver(options: TraceObserverOptions): GatewayObserver {
  const { nodeId, traceUserIds, slowDeliveryMs } = options;
  // Held from a sampled push's queueing to its first write round, which takes them: at most
  // `TRACED_DELIVERIES` connections of each kind per push, and weakly, so nothing outlives the push.
  const notes = new WeakMap<PreparedPush, DeliveryNotes>();
  // A push reported again once a slow socket drained keeps the fan-out span of its first round.
  const recorded = new WeakSet<PreparedPush>();
  const spans = createDeliveryTraces();

  const connectionAttributes = (connection: Connection): Attributes => ({
    [A.connection]: connection.id,
    ...(traceUserIds && { [A.user]: connection.user }),
  });

  /** Records one delivery span; returns its traceparent. */
  const recordDelivery = (prepared: PreparedPush, parent: Context, connection: Connection, writtenAt: number, failed: boolean): string => {
    const span = tracer.startSpan(
      SpanNames.deliver,
      {
        kind: SpanKind.PRODUCER,
        startTime: prepared.timing.fanoutAt,
        attributes: {
          ...messagingAttributes('send', 'deliver', prepared.push.id),
          [A.node]: nodeId,
          ...connectionAttributes(connection),
          ...(failed && { [A.dropReason]: 'slow_consumer' }),
        },
      },
      parent,
    );
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'dropped: slow consumer' });
    span.end(writtenAt);
    return traceparentOf(span.spanContext());
  };

  const recordFanout = (prepared: PreparedPush, writtenAt: number) => {
    const { push, timing } = prepared;
    const span = tracer.startSpan(
      SpanNames.fanout,
      {
        kind: SpanKind.CONSUMER,
        startTime: timing.fanoutAt,
        attributes: {
          ...messagingAttributes('process', 'fanout', push.id),
          [A.messagingDestinationName]: destinationOf(push.to),
          [A.node]: nodeId,
          [A.matched]: prepared.matched,
          [A.written]: prepared.written,
          [A.dropped]: prepared.dropped,
          [A.fanoutDurationMs]: writtenAt - timing.fanoutAt,
        },
      },
      contextFrom(push.trace),
    );
    if (prepared.dropped > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `${prepared.dropped} deliveries dropped` });
    span.end(writtenAt);
    const fanout = traceparentOf(span.spanContext());
    const noted = notes.get(prepared);
    notes.delete(prepared);
    const everyDelivery = prepared.matched <= TRACED_DELIVERIES || writtenAt - push.acceptedAt > slowDeliveryMs;
    const delivered = everyDelivery ? (noted?.queued ?? []) : [];
    const failed = noted?.dropped ?? [];
    // Most fan-outs of a large broadcast record no delivery span: build their parent only when needed.
    if (delivered.length === 0 && failed.length === 0) return spans.remember(push.id, { fanout, deliveries: undefined });
    const parent = trace.setSpan(ROOT_CONTEXT, span);
    const deliveries = new Map<string, string>();
    for (const connection of delivered) deliveries.set(connection.id, recordDelivery(prepared, parent, connection, writtenAt, false));
    for (const connection of failed) recordDelivery(prepared, parent, connection, writtenAt, true);
    spans.remember(push.id, { fanout, deliveries: deliveries.size > 0 ? deliveries : undefined });
  };

  return {
    ...ignoringObserver,
    sampledDelivery(prepared, connection, queued) {
      let noted = notes.get(prepared);
      if (!noted) notes.set(prepared, (noted = { queued: [], dropped: [] }));
      const list = queued ? noted.queued : noted.dropped;
      if (list.length < TRACED_DELIVERIES) list.push(connection);
    },
    framesWritten(pushes, writtenAt) {
      // A push whose frames waited for a slow socket's 'drain' is reported again with those late
      // writes: its fan-out span was recorded with the first round, and its acks attach to that.
      for (const prepared of pushes) {
        if (prepared.timing.traceId === undefined || recorded.has(prepared)) continue;
        recorded.add(prepared);
        recordFanout(prepared, writtenAt);
      }
    },
    acked(connection, pushId, timing, ackedAt) {
      if (timing?.traceId === undefined || timing.writtenAt === undefined) return;
      const recordedSpans = spans.get(pushId);
      const parent = recordedSpans?.deliveries?.get(connection.id) ?? recordedSpans?.fanout ?? timing.trace;
      const span = tracer.startSpan(
        SpanNames.ack,
        {
          kind: SpanKind.CONSUMER,
          startTime: timing.writtenAt,
          attributes: {
            ...messagingAttributes('settle', 'ack', pushId),
            [A.node]: nodeId,
            ...connectionAttributes(connection),
            [A.writeToAckMs]: ackedAt - timing.writtenAt,
            [A.pushToAckMs]: ackedAt - timing.acceptedAt,
          },
        },
        contextFrom(parent),
      );
      span.end(ackedAt);
    },
  };
}
