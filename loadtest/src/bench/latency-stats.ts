/**
 * Nearest-rank percentile of `values` (any order); `p` in 0..100.
 * With 20 samples p99 is the maximum, which is what a tail figure should show.
 */
export const percentile = (values: readonly number[], p: number): number => sortedPercentile([...values].sort((a, b) => a - b), p);

/** The same, of values sorted already (a typed array sorted natively, say). */
export const sortedPercentile = (sorted: ArrayLike<number>, p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
};

/** One measured push round: one broadcast, or one burst of several. */
export interface RoundSample {
  /** Epoch ms just before the trigger request was sent. */
  startMs: number;
  /** Epoch ms of the first and the last delivery seen by any client. */
  firstMs: number;
  lastMs: number;
  deliveries: number;
}

export interface RoundSummary {
  rounds: number;
  deliveries: number;
  /** Deliveries divided by the summed trigger-to-last-delivery time. */
  deliveriesPerSec: number;
  /** Summed first-to-last-delivery spread divided by deliveries, in µs. */
  usPerSend: number;
  /** Trigger-to-last-delivery per round, in ms. */
  ttlP50Ms: number;
  ttlP99Ms: number;
  ttlMaxMs: number;
}

export const summarizeRounds = (samples: readonly RoundSample[]): RoundSummary => {
  const ttl = samples.map((s) => s.lastMs - s.startMs);
  const spread = samples.reduce((sum, s) => sum + (s.lastMs - s.firstMs), 0);
  const deliveries = samples.reduce((sum, s) => sum + s.deliveries, 0);
  const busyMs = ttl.reduce((sum, ms) => sum + ms, 0);
  return {
    rounds: samples.length,
    deliveries,
    deliveriesPerSec: busyMs > 0 ? (deliveries / busyMs) * 1000 : Number.NaN,
    usPerSend: deliveries > 0 ? (spread * 1000) / deliveries : Number.NaN,
    ttlP50Ms: percentile(ttl, 50),
    ttlP99Ms: percentile(ttl, 99),
    ttlMaxMs: ttl.length > 0 ? Math.max(...ttl) : Number.NaN,
  };
};
