/**
 * Runs of `npm run bench:pair` combined (`npm run bench:pair-combine`): the same two servers,
 * each run with fresh processes, in either orientation. Each run's figures are recomputed from the
 * windows and blocks its JSON keeps, a run with the servers the other way round is inverted, and
 * the runs are combined as samples (pair-stats.ts: combineRuns): on this machine a run's own
 * interval is narrower than the spread between runs.
 */
import type { ServerKind } from './bench-options.ts';
import type { GcPauses } from './gc-pauses.ts';
import { combineRuns, geometricMeanRatio, invertedRatio, medianPairRatio, positivePairs, type RatioEstimate, type RunsEstimate } from './pair-stats.ts';

interface SideWindow {
  p50Ms: number;
  p99Ms: number;
  cpuUsPerPush?: number | null;
}

interface SideBlock {
  deliveriesPerSec: number;
  serverCpuUsPerDelivery?: number | null;
}

/** The part of a bench:pair results file read here. */
export interface PairRunDocument {
  options: { a: ServerKind; b: ServerKind; windows: number; windowMs: number; blocks: number };
  windows: Array<{ a: SideWindow; b: SideWindow }>;
  blocks: Array<{ a: SideBlock; b: SideBlock }>;
  gc?: { latency: { a?: GcPauses; b?: GcPauses } };
}

export const RUN_FIGURES = ['latencyP50', 'latencyP99', 'serverCpuPerPush', 'broadcastDeliveriesPerSec', 'broadcastServerCpuPerDelivery'] as const;
export type RunFigure = (typeof RUN_FIGURES)[number];

export interface PairRun {
  /** Whether the run had the servers as `b`, `a`: its figures are inverted. */
  swapped: boolean;
  windows: number;
  figures: Record<RunFigure, RatioEstimate>;
  /** Each side's minor and major GC pauses over the latency windows, ms (as the run's `a`, `b`). */
  gcMs: { a: { minor: number; major: number } | undefined; b: { minor: number; major: number } | undefined };
}

/**
 * A run's ratios a/b, as the run's `a` over its `b`: percentiles window by window (the run's JSON
 * keeps each window's, not its samples), the CPU and the broadcasts as medians of pairs, as
 * bench:pair reports them.
 */
const runFigures = (run: PairRunDocument): Record<RunFigure, RatioEstimate> => ({
  latencyP50: geometricMeanRatio(positivePairs(run.windows, (side) => side.p50Ms)),
  latencyP99: geometricMeanRatio(positivePairs(run.windows, (side) => side.p99Ms)),
  serverCpuPerPush: medianPairRatio(positivePairs(run.windows, (side) => side.cpuUsPerPush)),
  broadcastDeliveriesPerSec: medianPairRatio(positivePairs(run.blocks, (side) => side.deliveriesPerSec)),
  broadcastServerCpuPerDelivery: medianPairRatio(positivePairs(run.blocks, (side) => side.serverCpuUsPerDelivery)),
});

const gcOf = (totals: GcPauses | undefined) => (totals ? { minor: totals.minor?.ms ?? 0, major: totals.major?.ms ?? 0 } : undefined);

/** One run, as `a` over `b`; a run of other servers is refused. */
export const pairRun = (run: PairRunDocument, a: ServerKind, b: ServerKind): PairRun => {
  const { a: runA, b: runB } = run.options;
  const swapped = runA === b && runB === a && a !== b;
  if (!swapped && !(runA === a && runB === b)) throw new Error(`a run of ${runA} / ${runB} is not one of ${a} / ${b}`);
  const figures = runFigures(run);
  const oriented = swapped ? (Object.fromEntries(RUN_FIGURES.map((figure) => [figure, invertedRatio(figures[figure])])) as Record<RunFigure, RatioEstimate>) : figures;
  return { swapped, windows: run.windows.length, figures: oriented, gcMs: { a: gcOf(run.gc?.latency.a), b: gcOf(run.gc?.latency.b) } };
};

/** Every figure over all the runs. */
export const combinePairRuns = (runs: readonly PairRun[]): Record<RunFigure, RunsEstimate> =>
  Object.fromEntries(RUN_FIGURES.map((figure) => [figure, combineRuns(runs.map((run) => run.figures[figure].ratio))])) as Record<RunFigure, RunsEstimate>;
