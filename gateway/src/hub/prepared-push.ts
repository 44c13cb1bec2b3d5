import { pushFrameText, type PushEnvelope } from '../push/push-envelope.ts';
import { sampledTraceId } from '../telemetry/trace-ids.ts';
import type { Connection } from './connection.ts';
import type { PushTiming } from './recent-pushes.ts';
import { encodeTextFrame } from './websocket-frame.ts';

/** A push ready for the wire on this node: its frame encoded once, shared by every connection. */
export interface PreparedPush {
  readonly push: PushEnvelope;
  readonly frame: Buffer;
  readonly timing: PushTiming;
  /** Frames of this push written to sockets in the current write round (reset after it is reported). */
  written: number;
  /** Connections the push matched on this node, and those among them dropped as slow consumers. */
  matched: number;
  dropped: number;
  /**
   * For sampled pushes only: the first connections it was queued for and the first it was dropped
   * for, at most `TRACED_DELIVERIES` each, so per-delivery spans stay bounded on a 10k broadcast.
   */
  sampled: Connection[] | undefined;
  failed: Connection[] | undefined;
}

/** Per push and node, the most deliveries (and failed ones) that may get their own span. */
export const TRACED_DELIVERIES = 10;

/** Notes a queued or dropped connection for per-delivery tracing, within the bound. */
export function noteDelivery(prepared: PreparedPush, connection: Connection, ok: boolean): void {
  const list = ok ? prepared.sampled : prepared.failed;
  if (list && list.length < TRACED_DELIVERIES) list.push(connection);
}

export function preparePush(push: PushEnvelope, fanoutAt: number): PreparedPush {
  const traceId = sampledTraceId(push.trace);
  // Only a sampled trace gets fan-out and delivery spans: an unsampled push (a ratio sampler's
  // usual case) keeps its traceparent for propagation and costs nothing more here.
  const traced = traceId !== undefined;
  return {
    push,
    frame: encodeTextFrame(pushFrameText(push)),
    timing: {
      id: push.id,
      acceptedAt: push.acceptedAt,
      publishedAt: push.publishedAt,
      trace: push.trace,
      traceId,
      fanoutAt,
      writtenAt: undefined,
    },
    written: 0,
    matched: 0,
    dropped: 0,
    sampled: traced ? [] : undefined,
    failed: traced ? [] : undefined,
  };
}
