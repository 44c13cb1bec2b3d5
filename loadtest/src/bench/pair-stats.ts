/**
 * The statistics of a paired comparison (pair-bench.ts): two servers measured in the same windows,
 * so the machine's drift falls on both alike. What is reported is a ratio (a over b) with a 95%
 * interval from a bootstrap over the windows, resampled as pairs: the interval says whether a
 * difference of a few percent is resolved at all by the run's noise.
 */
import { percentile, sortedPercentile } from './latency-stats.ts';
import { createSeededRandom } from '../seeded-random.ts';

/** A ratio and its 95% interval (2.5th and 97.5th percentiles of the bootstrap). */
export interface RatioEstimate {
  ratio: number;
  low: number;
  high: number;
  /** Windows (or blocks) it rests on. */
  windows: number;
}

/** One window's samples of each server. */
export interface PairedWindow {
  a: readonly number[];
  b: readonly number[];
}

/** Resamplings of the bootstrap: enough for a stable 95% interval, cheap beside the run. */
const RESAMPLES = 1_000;

const interval = (point: number, resampled: number[], windows: number): RatioEstimate => ({
  ratio: point,
  low: percentile(resampled, 2.5),
  high: percentile(resampled, 97.5),
  windows,
});

/** `statistic` of `values` with its interval from resampling them with replacement. */
const bootstrapped = <T>(values: readonly T[], statistic: (picked: readonly T[]) => number, seed: number): RatioEstimate => {
  const random = createSeededRandom(seed);
  const resampled: number[] = [];
  for (let i = 0; i < RESAMPLES; i += 1) resampled.push(statistic(values.map(() => values[Math.floor(random() * values.length)]!)));
  return interval(statistic(values), resampled, values.length);
};

/** The pairs where both sides have a positive reading (a CPU reading of 0, say, is none). */
export const positivePairs = <T>(pairs: ReadonlyArray<{ a: T; b: T }>, value: (side: T) => number | null | undefined): Array<{ a: number; b: number }> =>
  pairs.flatMap((pair) => {
    const [a, b] = [value(pair.a), value(pair.b)];
    return a && b && a > 0 && b > 0 ? [{ a, b }] : [];
  });

/**
 * The `p`th percentile of all of a's samples over that of all of b's, the windows pooled; the
 * interval resamples whole windows (their samples are not independent of each other).
 */
export const pooledPercentileRatio = (windows: readonly PairedWindow[], p: number, seed = 1): RatioEstimate => {
  // Each resampling pools tens of thousands of samples: they are sorted as a typed array, whose
  // numeric sort is several times faster than an array's with a comparator.
  const pooled = (picked: readonly PairedWindow[], side: 'a' | 'b') => {
    const all = new Float64Array(picked.reduce((sum, w) => sum + w[side].length, 0));
    let at = 0;
    for (const w of picked) {
      all.set(w[side], at);
      at += w[side].length;
    }
    return sortedPercentile(all.sort(), p);
  };
  return bootstrapped(windows, (picked) => pooled(picked, 'a') / pooled(picked, 'b'), seed);
};

/**
 * The geometric mean over windows of each window's own `p`th-percentile ratio a/b; the interval
 * resamples windows. Where the pooled ratio weighs windows by their tails (on a shared machine a
 * few stalled windows, with both servers' p99 ten times the usual, set the pooled p99 of both),
 * this gives every window one vote and cancels what a window did to both servers alike, so it
 * resolves a tail percentile several times more finely. Windows where either side has no sample
 * are left out.
 */
export const windowedPercentileRatio = (windows: readonly PairedWindow[], p: number, seed = 1): RatioEstimate =>
  geometricMeanRatio(
    windows.filter((w) => w.a.length > 0 && w.b.length > 0).map((w) => ({ a: percentile(w.a, p), b: percentile(w.b, p) })),
    seed,
  );

/** The geometric mean of per-window (or per-block) ratios a/b, with its interval from resampling them. */
export const geometricMeanRatio = (pairs: ReadonlyArray<{ a: number; b: number }>, seed = 1): RatioEstimate =>
  bootstrapped(
    pairs.map(({ a, b }) => Math.log(a / b)),
    (logRatios) => Math.exp(logRatios.reduce((sum, x) => sum + x, 0) / logRatios.length),
    seed,
  );

/** The median of per-block ratios a/b (one block of each server, run back to back), with its interval. */
export const medianPairRatio = (pairs: ReadonlyArray<{ a: number; b: number }>, seed = 1): RatioEstimate =>
  bootstrapped(
    pairs.map(({ a, b }) => a / b),
    (ratios) => percentile(ratios, 50),
    seed,
  );

/** The same estimate the other way round: b over a. */
export const invertedRatio = ({ ratio, low, high, windows }: RatioEstimate): RatioEstimate => ({ ratio: 1 / ratio, low: 1 / high, high: 1 / low, windows });

/** Two-sided 95% quantiles of Student's t, by degrees of freedom (1–10); past 10 the next is close enough. */
const T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
const tQuantile = (df: number) => T_975[df - 1] ?? (df <= 20 ? 2.086 : df <= 30 ? 2.042 : 1.96);

/** Ratios of whole runs combined: their geometric mean, and a t interval over the runs. */
export interface RunsEstimate {
  ratio: number;
  /** Undefined with one run: a run's own interval leaves out what differs between runs. */
  low: number | undefined;
  high: number | undefined;
  runs: number;
}

/**
 * Runs of the same comparison, each with fresh server processes, combined. Each run's interval
 * says how well its windows agree, not how far the next run may land: here two runs of 200
 * windows each gave intervals of ±7% that did not overlap, as each process's collector settles
 * on its own young-generation size and pause lengths for the whole run. So the runs are the
 * samples: a t interval over their log ratios.
 */
export const combineRuns = (ratios: readonly number[]): RunsEstimate => {
  const logs = ratios.map((r) => Math.log(r));
  const n = logs.length;
  const mean = logs.reduce((sum, x) => sum + x, 0) / n;
  if (n < 2) return { ratio: Math.exp(mean), low: undefined, high: undefined, runs: n };
  const sd = Math.sqrt(logs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile(n - 1) * sd) / Math.sqrt(n);
  return { ratio: Math.exp(mean), low: Math.exp(mean - half), high: Math.exp(mean + half), runs: n };
};
