/**
 * A push as it travels inside the gateway and across the bus: accepted once, with its id and
 * timestamp fixed, its targets normalised and its payload already serialised.
 */
export interface PushEnvelope {
  id: string;
  /** Epoch milliseconds when the push was accepted. */
  ts: number;
  to: NormalizedTarget;
  /** `data` serialised as JSON text, so it is stringified once however many nodes deliver it. */
  payload: string;
}

export interface NormalizedTarget {
  users: string[];
  tags: string[];
  all: boolean;
}

/** The exact text of the `push` frame clients receive (see protocol.ts `PushFrame`). */
export function pushFrameText(push: PushEnvelope): string {
  return `{"type":"push","id":${JSON.stringify(push.id)},"ts":${push.ts},"data":${push.payload}}`;
}
