/**
 * The `data` of every bench push. `seq` identifies the message on the client
 * side; `sentAt` (epoch ms, see ../clock.ts) lets anyone reading the frames
 * compute latency; `pad` brings the serialized payload to the requested size.
 */
export interface PushPayload {
  seq: number;
  sentAt: number;
  pad: string;
}

export type PayloadFactory = (seq: number, sentAt: number) => PushPayload;

/** @param targetBytes serialized size of `data` to aim for (default 100); small sequence numbers keep it within a few bytes. */
export const createPayloadFactory = (targetBytes = 100): PayloadFactory => {
  const bare = JSON.stringify({ seq: 0, sentAt: 1_700_000_000_000.123, pad: '' }).length;
  const pad = 'x'.repeat(Math.max(0, targetBytes - bare));
  return (seq, sentAt) => ({ seq, sentAt, pad });
};
