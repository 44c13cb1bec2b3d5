import { pushFrameText, type PushEnvelope } from '../push/push-envelope.ts';
import { sampledTraceId } from '../telemetry/trace-ids.ts';
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
}

export function preparePush(push: PushEnvelope, fanoutAt: number): PreparedPush {
  // Only a sampled trace gets fan-out and delivery spans: an unsampled push (a ratio sampler's
  // usual case) keeps its traceparent for propagation and costs nothing more on this node.
  const traceId = sampledTraceId(push.trace);
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
  };
}
