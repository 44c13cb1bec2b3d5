import { pushFrameText, type PushEnvelope } from '../push/push-envelope.ts';
import { encodeTextFrame } from './websocket-frame.ts';

/** A push ready for the wire on this node: its frame encoded once, shared by every connection. */
export interface PreparedPush {
  readonly push: PushEnvelope;
  readonly frame: Buffer;
  /** Frames of this push written to sockets in the current coalescing round. */
  written: number;
}

export function preparePush(push: PushEnvelope): PreparedPush {
  return { push, frame: encodeTextFrame(pushFrameText(push)), written: 0 };
}
