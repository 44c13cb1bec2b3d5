import type { PushLatencySummary } from '../protocol.ts';

/** Smallest latency a histogram bucket tells apart, ms. */
const FLOOR_MS = 0.1;
/** Each bucket's upper bound is this much above the one before: percentiles are within 10%. */
const GROWTH = 1.1;
/** 0.1 ms … 18 minutes (longer lands in the last bucket; `max` stays exact): 680 bytes a histogram. */
const BUCKETS = 170;
const LOG_GROWTH = Math.log(GROWTH);

/**
 * Latencies of a push's deliveries on one node past the connections it lists one by one: counts
 * in geometric buckets, so a fan-out to 100k connections costs one fixed array, and a write round
 * adds all its frames at once.
 */
export interface LatencyHistogram {
  add(ms: number, count: number): void;
  summary(): PushLatencySummary | undefined;
}

export function createLatencyHistogram(): LatencyHistogram {
  const counts = new Uint32Array(BUCKETS);
  let total = 0;
  let max = 0;
  const upperOf = (index: number) => Math.min(max, FLOOR_MS * GROWTH ** index);
  const at = (rank: number) => {
    let seen = 0;
    for (let index = 0; index < BUCKETS; index += 1) {
      seen += counts[index]!;
      if (seen >= rank) return round(upperOf(index));
    }
    return round(max);
  };
  return {
    add(ms, count) {
      if (count <= 0) return;
      const value = Math.max(0, ms);
      const index = value <= FLOOR_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(value / FLOOR_MS) / LOG_GROWTH));
      counts[index] = counts[index]! + count;
      total += count;
      if (value > max) max = value;
    },
    summary() {
      if (total === 0) return undefined;
      const rank = (q: number) => Math.max(1, Math.ceil(q * total));
      return { count: total, p50: at(rank(0.5)), p95: at(rank(0.95)), p99: at(rank(0.99)), max: round(max) };
    },
  };
}

/** Exact percentiles (nearest rank) of a few latencies, ms. */
export function summarize(latencies: number[]): PushLatencySummary | undefined {
  if (latencies.length === 0) return undefined;
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!);
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(sorted[sorted.length - 1]!) };
}

/** Microsecond resolution is all a latency needs. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
