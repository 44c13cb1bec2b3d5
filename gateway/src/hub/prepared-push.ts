import { pushFrameText, type PushEnvelope } from '../push/push-envelope.ts';
import type { PushTiming } from './recent-pushes.ts';
import { encodeTextFrame } from './websocket-frame.ts';

/** A push ready for the wire on this node: its frame encoded once, shared by every connection. */
export interface PreparedPush {
  readonly push: PushEnvelope;
  readonly frame: Buffer;
  readonly timing: PushTiming;
  /** Frames of this push written to sockets in the current write round (reset after it is reported). */
  written: number;
}

export function preparePush(push: PushEnvelope, fanoutAt: number): PreparedPush {
  return {
    push,
    frame: encodeTextFrame(pushFrameText(push)),
    timing: { id: push.id, acceptedAt: push.acceptedAt, trace: push.trace, fanoutAt, writtenAt: undefined },
    written: 0,
  };
}
