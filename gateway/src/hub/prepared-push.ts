import type { StreamPositions } from '../bus/bus.ts';
import { pushFrameText, type PushEnvelope } from '../push/push-envelope.ts';
import { sampledTraceId } from '../telemetry/trace-ids.ts';
import type { DeliveryRecord } from './delivery-record.ts';
import type { PushTiming } from './recent-pushes.ts';
import { encodeTextFrame } from './websocket-frame.ts';

/**
 * One frame waiting in a connection's queue: its bytes, and the push it delivers (whose write
 * counts it adds to). A push's frame differs between connections only in `pos`, the positions in
 * the connection's own streams.
 */
export interface QueuedFrame {
  readonly frame: Buffer;
  readonly prepared: PreparedPush;
  /** The positions the frame carries: the push's seq in each of the connection's streams it was appended to. */
  readonly pos: Readonly<Record<string, number>>;
}

/**
 * A push ready for the wire on this node: its frame encoded once, shared by every connection that
 * holds all of the push's streams (`prepared` is itself); connections holding only some of them
 * share a variant per combination (`frameFor` in fan-out.ts).
 */
export interface PreparedPush extends QueuedFrame {
  readonly push: PushEnvelope;
  /** The positions the bus gave the push, in every stream it targets. */
  readonly positions: StreamPositions;
  readonly timing: PushTiming;
  /** Frames of this push written to sockets in the current write round (reset after it is reported). */
  written: number;
  /** Connections the push matched on this node, and those among them dropped as slow consumers. */
  matched: number;
  dropped: number;
  /** Where its deliveries are reported for the push inspector; undefined when it is off. */
  record: DeliveryRecord | undefined;
}

/** The seq of each of `streams` in `positions`, as a frame's `pos` carries them. */
export function posOf(positions: StreamPositions, streams: Iterable<string>): Record<string, number> {
  const pos: Record<string, number> = {};
  for (const stream of streams) {
    const position = positions[stream];
    if (position !== undefined) pos[stream] = position.seq;
  }
  return pos;
}

export function preparePush(push: PushEnvelope, positions: StreamPositions, fanoutAt: number): PreparedPush {
  // Only a sampled trace gets fan-out and delivery spans: an unsampled push (a ratio sampler's
  // usual case) keeps its traceparent for propagation and costs nothing more on this node.
  const traceId = sampledTraceId(push.trace);
  const pos = posOf(positions, Object.keys(positions));
  const prepared: Omit<PreparedPush, 'prepared'> & { prepared?: PreparedPush } = {
    push,
    positions,
    pos,
    frame: encodeTextFrame(pushFrameText(push, pos)),
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
    record: undefined,
  };
  prepared.prepared = prepared as PreparedPush;
  return prepared as PreparedPush;
}

/** The frame of `prepared` for a connection holding only `streams` of the push's streams. */
export function variantOf(prepared: PreparedPush, streams: readonly string[]): QueuedFrame {
  const pos = posOf(prepared.positions, streams);
  return { frame: encodeTextFrame(pushFrameText(prepared.push, pos)), prepared, pos };
}
