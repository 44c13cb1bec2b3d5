import { formatMs } from '../format/units.ts';

export interface HeatmapColumn {
  /** Epoch seconds at the start of the column. */
  start: number;
  /** Observations per latency bucket (same order as the bounds, plus the open bucket). */
  counts: number[];
  total: number;
}

export interface LatencyHeatmap {
  /** One label per bucket, fastest first: `≤1 ms` … `>5 s`. */
  rows: string[];
  /** Oldest first, `span / columnSeconds` of them, ending at the newest point. */
  columns: HeatmapColumn[];
  /** Largest cell, to scale the colours. */
  max: number;
  columnSeconds: number;
}

export interface HeatmapOptions {
  /** Seconds folded into one column. Default 10. */
  columnSeconds?: number;
  /** Seconds shown. Default 300. */
  spanSeconds?: number;
}

/** Row labels for bucket upper bounds in ms; the last bucket is open-ended. */
export function latencyBucketLabels(boundsMs: readonly number[]): string[] {
  const last = boundsMs[boundsMs.length - 1];
  return [...boundsMs.map((bound) => `≤${formatMs(bound)}`), last === undefined ? 'all' : `>${formatMs(last)}`];
}

/**
 * Folds per-second latency bucket counts into fixed wall-clock columns (10 s by default) so the
 * heatmap stays a few hundred cells however long it runs. Seconds with no data (gaps) add nothing.
 *
 * @param times epoch seconds, ascending, one per entry of `counts`
 */
export function buildLatencyHeatmap(
  times: readonly number[],
  counts: ReadonlyArray<readonly number[] | null>,
  boundsMs: readonly number[],
  options: HeatmapOptions = {},
): LatencyHeatmap {
  const columnSeconds = options.columnSeconds ?? 10;
  const columnCount = Math.max(1, Math.round((options.spanSeconds ?? 300) / columnSeconds));
  const buckets = boundsMs.length + 1;
  const rows = latencyBucketLabels(boundsMs);
  const newest = times[times.length - 1];
  if (newest === undefined) return { rows, columns: [], max: 0, columnSeconds };

  const lastSlot = Math.floor(newest / columnSeconds);
  const firstSlot = lastSlot - columnCount + 1;
  const columns: HeatmapColumn[] = Array.from({ length: columnCount }, (_, i) => ({
    start: (firstSlot + i) * columnSeconds,
    counts: new Array<number>(buckets).fill(0),
    total: 0,
  }));
  times.forEach((time, i) => {
    const column = columns[Math.floor(time / columnSeconds) - firstSlot];
    const second = counts[i];
    if (!column || !second) return;
    for (let b = 0; b < buckets; b += 1) column.counts[b]! += second[b] ?? 0;
  });
  let max = 0;
  for (const column of columns) {
    column.total = column.counts.reduce((sum, n) => sum + n, 0);
    for (const n of column.counts) max = Math.max(max, n);
  }
  return { rows, columns, max, columnSeconds };
}
