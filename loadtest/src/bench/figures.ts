/**
 * The bench's figures: every measured value of every server run becomes a sample of one figure,
 * and the samples of the runs of one (figure, connection count, server) fold into a median with
 * its range. The ratio subject/peer is taken per run (same connection count, same repeat: the two
 * servers ran back to back) and folded the same way, which is what stays meaningful on a shared
 * machine. Pure: no I/O, so the rendering can be tested on made-up samples.
 */
import type { ServerKind } from './bench-options.ts';

export const FIGURES = [
  { key: 'broadcast', title: 'Broadcast throughput', unit: 'deliveries/s', better: 'higher', digits: 0 },
  { key: 'burst', title: 'Bursts of broadcasts', unit: 'deliveries/s', better: 'higher', digits: 0 },
  { key: 'cpu-broadcast', title: 'Server CPU, broadcasts', unit: 'CPU s per 1M deliveries', better: 'lower', digits: 2 },
  { key: 'cpu-burst', title: 'Server CPU, bursts', unit: 'CPU s per 1M deliveries', better: 'lower', digits: 2 },
  { key: 'client-cpu-broadcast', title: 'Client CPU, broadcasts', unit: 'CPU s per 1M deliveries', better: 'lower', digits: 2 },
  { key: 'client-cpu-burst', title: 'Client CPU, bursts', unit: 'CPU s per 1M deliveries', better: 'lower', digits: 2 },
  { key: 'latency-p50', title: 'One-user push latency p50', unit: 'ms', better: 'lower', digits: 2 },
  { key: 'latency-p99', title: 'One-user push latency p99', unit: 'ms', better: 'lower', digits: 2 },
  { key: 'latency-max', title: 'One-user push latency max', unit: 'ms', better: 'lower', digits: 2 },
  { key: 'rss-per-connection', title: 'Idle memory per connection', unit: 'KiB', better: 'lower', digits: 1 },
  { key: 'rss-base', title: 'Server RSS before connections', unit: 'MiB', better: 'lower', digits: 1 },
] as const;

export type FigureKey = (typeof FIGURES)[number]['key'];
export type Figure = (typeof FIGURES)[number];

export const figureOf = (key: FigureKey): Figure => FIGURES.find((f) => f.key === key)!;

export interface FigureSample {
  figure: FigureKey;
  connections: number;
  server: ServerKind;
  /** Which run of the server at this connection count (1-based). */
  repeat: number;
  value: number;
}

/** Median of several runs and the range they span. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export interface FigureRow {
  figure: FigureKey;
  connections: number;
  server: ServerKind;
  value: Spread;
  /** subject/server over the runs both made; undefined for the subject itself or without pairs. */
  ratio: Spread | undefined;
}

/** Median (mean of the middle two for an even count) and range; undefined for no values. */
export const spreadOf = (values: readonly number[]): Spread | undefined => {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return undefined;
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: sorted.length };
};

const keyOf = (s: Pick<FigureSample, 'figure' | 'connections' | 'server'>): string => `${s.figure}|${s.connections}|${s.server}`;

/** One row per (figure, connections, server) in FIGURES order, then by connections and `servers` order. */
export const summarizeFigures = (samples: readonly FigureSample[], subject: ServerKind, servers: readonly ServerKind[]): FigureRow[] => {
  const groups = new Map<string, FigureSample[]>();
  for (const sample of samples) groups.set(keyOf(sample), [...(groups.get(keyOf(sample)) ?? []), sample]);
  const connectionCounts = [...new Set(samples.map((s) => s.connections))].sort((a, b) => a - b);
  const rows: FigureRow[] = [];
  for (const { key: figure } of FIGURES) {
    for (const connections of connectionCounts) {
      const subjectRuns = groups.get(keyOf({ figure, connections, server: subject })) ?? [];
      for (const server of servers) {
        const runs = groups.get(keyOf({ figure, connections, server })) ?? [];
        const value = spreadOf(runs.map((r) => r.value));
        if (!value) continue;
        const ratios = server === subject ? [] : runs.flatMap((run) => {
          const mine = subjectRuns.find((s) => s.repeat === run.repeat);
          return mine && run.value !== 0 ? [mine.value / run.value] : [];
        });
        rows.push({ figure, connections, server, value, ratio: spreadOf(ratios) });
      }
    }
  }
  return rows;
};

/** `1,234` for whole figures, fixed digits otherwise; `-` for nothing. */
export const formatValue = (value: number | undefined, digits: number): string => {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return digits === 0 ? Math.round(value).toLocaleString('en-US') : value.toFixed(digits);
};

export const formatSpread = (spread: Spread | undefined, digits: number): string =>
  spread === undefined ? '-' : spread.runs === 1 ? formatValue(spread.median, digits) : `${formatValue(spread.median, digits)} [${formatValue(spread.min, digits)}–${formatValue(spread.max, digits)}]`;

export const formatRatio = (spread: Spread | undefined): string =>
  spread === undefined ? '-' : spread.runs === 1 ? `${spread.median.toFixed(2)}×` : `${spread.median.toFixed(2)}× [${spread.min.toFixed(2)}–${spread.max.toFixed(2)}]`;
