import { CONSOLE_LATENCY_BOUNDS_MS, type LatencyPercentiles } from '../protocol.ts';

/** Push → ack counts per bucket: one per bound in `CONSOLE_LATENCY_BOUNDS_MS`, plus the open one. */
export type LatencyCounts = number[];

export const emptyLatencyCounts = (): LatencyCounts => new Array<number>(CONSOLE_LATENCY_BOUNDS_MS.length + 1).fill(0);

/** Index of the bucket `ms` falls in (bounds are inclusive upper bounds). */
export function latencyBucket(ms: number): number {
  for (let i = 0; i < CONSOLE_LATENCY_BOUNDS_MS.length; i += 1) if (ms <= CONSOLE_LATENCY_BOUNDS_MS[i]!) return i;
  return CONSOLE_LATENCY_BOUNDS_MS.length;
}

/** Adds `from` into `into`, bucket by bucket; lists of another length (an older peer) are ignored. */
export function addLatencyCounts(into: LatencyCounts, from: readonly number[]): void {
  if (from.length !== into.length) return;
  for (let i = 0; i < into.length; i += 1) into[i]! += from[i] ?? 0;
}

/**
 * p50/p95/p99 from bucket counts: the upper bound of the bucket that holds the rank. A rank in the
 * open bucket reports the last bound, to be read as "more than". Null when nothing was observed.
 */
export function latencyPercentiles(counts: readonly number[]): LatencyPercentiles {
  const count = counts.reduce((sum, n) => sum + n, 0);
  const at = (p: number): number | null => {
    if (count === 0) return null;
    const rank = Math.ceil(p * count);
    let seen = 0;
    for (let i = 0; i < counts.length; i += 1) {
      seen += counts[i]!;
      if (seen >= rank) return CONSOLE_LATENCY_BOUNDS_MS[Math.min(i, CONSOLE_LATENCY_BOUNDS_MS.length - 1)]!;
    }
    return CONSOLE_LATENCY_BOUNDS_MS[CONSOLE_LATENCY_BOUNDS_MS.length - 1]!;
  };
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), count };
}
