import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import type { Connection } from '../hub/connection.ts';
import type { PreparedPush } from '../hub/prepared-push.ts';
import { createDeliveryTraces, deliverySpanOf } from './delivery-traces.ts';
import { ignoringObserver, type GatewayObserver } from './gateway-observer.ts';
import { createPushSpans } from './push-spans.ts';
import { traceparentOf } from './trace-context.ts';

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
 * round was slow. What it needs between events it keeps itself, bounded: the first deliveries of
 * each sampled push until its fan-out span, and the span contexts its acks are parented on.
 */
export function createTraceObserver(options: TraceObserverOptions): GatewayObserver {
  const { slowDeliveryMs } = options;
  const record = createPushSpans(options);
  // Held from a sampled push's queueing to its first write round, which takes them: at most
  // `TRACED_DELIVERIES` connections of each kind per push, and weakly, so nothing outlives the push.
  const notes = new WeakMap<PreparedPush, DeliveryNotes>();
  // A fan-out reports its deliveries one after another: the push being noted is kept at hand, so
  // a traced broadcast to 10k sockets costs one map lookup, not 10k.
  let noting: { prepared: PreparedPush; notes: DeliveryNotes } | undefined;
  const spans = createDeliveryTraces();

  const recordFanout = (prepared: PreparedPush, writtenAt: number) => {
    const span = record.fanout(prepared, writtenAt);
    const fanout = span.spanContext().spanId;
    const noted = notes.get(prepared);
    notes.delete(prepared);
    if (noting?.prepared === prepared) noting = undefined;
    const everyDelivery = prepared.matched <= TRACED_DELIVERIES || writtenAt - prepared.push.acceptedAt > slowDeliveryMs;
    const delivered = everyDelivery ? (noted?.queued ?? []) : [];
    const failed = noted?.dropped ?? [];
    // Most fan-outs of a large broadcast record no delivery span: build their parent only when needed.
    if (delivered.length === 0 && failed.length === 0) return spans.remember(prepared.push.id, { fanout, deliveries: undefined });
    const parent = trace.setSpan(ROOT_CONTEXT, span);
    const deliveries: string[] = [];
    for (const connection of delivered) deliveries.push(connection.id, record.delivery(prepared, parent, connection, writtenAt, false));
    for (const connection of failed) record.delivery(prepared, parent, connection, writtenAt, true);
    spans.remember(prepared.push.id, { fanout, deliveries: deliveries.length > 0 ? deliveries : undefined });
  };

  return {
    ...ignoringObserver,
    sampledDelivery(prepared, connection, queued) {
      if (noting?.prepared !== prepared) {
        let noted = notes.get(prepared);
        if (!noted) notes.set(prepared, (noted = { queued: [], dropped: [] }));
        noting = { prepared, notes: noted };
      }
      const list = queued ? noting.notes.queued : noting.notes.dropped;
      if (list.length < TRACED_DELIVERIES) list.push(connection);
    },
    framesWritten(pushes, writtenAt) {
      // A push whose frames waited for a slow socket's 'drain' is reported again with those late
      // writes: its fan-out span was recorded with the first round (the one the hub stamped as
      // its write time), and its acks attach to that.
      for (const prepared of pushes) {
        if (prepared.timing.traceId === undefined || prepared.timing.writtenAt !== writtenAt) continue;
        recordFanout(prepared, writtenAt);
      }
    },
    resumed: (report) => record.resume(report, TRACED_DELIVERIES),
    acked(connection, pushId, timing, ackedAt) {
      if (timing?.traceId === undefined || timing.writtenAt === undefined) return;
      const pushSpans = spans.get(pushId);
      // Recorded spans are those of a sampled push: the ack's parent is in the push's trace, sampled.
      const spanId = pushSpans && (deliverySpanOf(pushSpans, connection.id) ?? pushSpans.fanout);
      const parent = spanId ? traceparentOf({ traceId: timing.traceId, spanId, traceFlags: TraceFlags.SAMPLED }) : timing.trace;
      record.ack(connection, pushId, { ...timing, writtenAt: timing.writtenAt }, ackedAt, parent);
    },
  };
}
