/** When one push passed each stage on this node; kept for a while so acks can be timed. */
export interface PushTiming {
  readonly id: string;
  /** Epoch ms when the push was accepted (its `ts`). */
  readonly acceptedAt: number;
  /** W3C traceparent of the push's trace, when it is traced. */
  readonly trace: string | undefined;
  /** Its trace id when the trace is sampled (what exemplars and slow-delivery records point at). */
  readonly traceId: string | undefined;
  /** Epoch ms when this node started the fan-out. */
  readonly fanoutAt: number;
  /** Epoch ms (sub-millisecond) when the accepting node handed the push to the bus. */
  readonly publishedAt: number;
  /** Epoch ms of the write round that handed the frame to the sockets (set by the hub). */
  writtenAt: number | undefined;
}

/**
 * Remembers the timing of recent pushes, so a client's ack (which carries only the push id) can
 * be turned into push-to-ack latency and linked to the push's trace. Bounded by count: the oldest
 * entries go first.
 */
export interface RecentPushes {
  remember(timing: PushTiming): void;
  get(id: string): PushTiming | undefined;
}

export function createRecentPushes(capacity = 100_000): RecentPushes {
  const entries = new Map<string, PushTiming>();
  return {
    remember(timing) {
      if (entries.has(timing.id)) return;
      entries.set(timing.id, timing);
      if (entries.size > capacity) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
    },
    get: (id) => entries.get(id),
  };
}
