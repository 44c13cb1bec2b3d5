import { createAgedEntries } from '../limits/aged-entries.ts';

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
 * How long after its fan-out an ack is still timed and linked to the push's trace (60 s). A later
 * ack is still counted, without a latency. The window is what bounds this memory in practice: at
 * 500 pushes/s it holds 30,000 timings, where a count bound alone would keep every push of the
 * last minutes alive, and each full garbage collection would walk them all.
 */
export const ACK_TIMING_WINDOW_MS = 60_000;

/**
 * Remembers the timing of recent pushes, so a client's ack (which carries only the push id) can
 * be turned into push-to-ack latency and linked to the push's trace. Bounded by age and by count:
 * the oldest entries go first.
 */
export interface RecentPushes {
  remember(timing: PushTiming): void;
  get(id: string, now: number): PushTiming | undefined;
}

export function createRecentPushes(capacity = 100_000, windowMs = ACK_TIMING_WINDOW_MS): RecentPushes {
  const entries = createAgedEntries<PushTiming>({ capacity, maxAgeMs: windowMs, ageOf: (timing) => timing.fanoutAt });
  return {
    remember: (timing) => entries.remember(timing.id, timing, timing.fanoutAt),
    get: (id, now) => entries.get(id, now),
  };
}
