/**
 * The latency histogram: one bar per bucket on a log-scaled latency axis. Latencies span orders
 * of magnitude (sub-millisecond fan-out next to multi-second stalls), and the usual exponential
 * buckets come out evenly wide on a log axis.
 */

import type { HistogramBucket } from './run-report.ts';
import { escapeHtml } from './html-escape.ts';
import { formatCompact, formatCount, formatMs, formatPercent } from './report-format.ts';
import { extent, linearScale, logScale, niceCeiling, type Scale } from './chart-scale.ts';
import { PLOT_AREA, px, renderChart, renderEmptyChart } from './svg-chart.ts';

export interface HistogramMarker {
  /** e.g. `p99`. */
  label: string;
  valueMs: number;
}

export interface HistogramChartSpec {
  plot: string;
  title: string;
  buckets: readonly HistogramBucket[];
  /** Vertical reference lines, typically the run's percentiles. */
  markers?: readonly HistogramMarker[];
}

interface Bar {
  lowerMs: number;
  upperMs: number;
  count: number;
  /** The bucket's open-ended overflow bucket (upperMs was Infinity). */
  open: boolean;
}

/** Below this, a log axis has nothing meaningful to show; zero-latency buckets are clamped here. */
const MIN_MS = 0.001;

/** Sorted, merged, finite bars with explicit lower edges; leading and trailing empty buckets dropped. */
export const histogramBars = (buckets: readonly HistogramBucket[]): Bar[] => {
  const merged = new Map<number, number>();
  for (const { upperMs, count } of buckets) {
    if (Number.isNaN(upperMs) || !Number.isFinite(count) || count < 0) continue;
    const upper = Math.max(upperMs, MIN_MS);
    merged.set(upper, (merged.get(upper) ?? 0) + count);
  }
  const sorted = [...merged.entries()].sort(([a], [b]) => a - b);
  const bars: Bar[] = [];
  sorted.forEach(([upper, count], i) => {
    const previous = bars.at(-1);
    const next = sorted[i + 1]?.[0];
    if (!previous) {
      // The first bucket has no lower neighbour: mirror the growth to the next edge, else halve.
      const ratio = next !== undefined && Number.isFinite(next) ? next / upper : 2;
      bars.push({ lowerMs: upper / ratio, upperMs: upper, count, open: false });
      return;
    }
    const open = !Number.isFinite(upper);
    // An overflow bucket gets the same log width as its predecessor.
    const upperMs = open ? previous.upperMs * (previous.upperMs / previous.lowerMs) : upper;
    bars.push({ lowerMs: previous.upperMs, upperMs, count, open });
  });
  const first = bars.findIndex((b) => b.count > 0);
  if (first === -1) return [];
  let last = bars.length - 1;
  while (last > first && bars[last]?.count === 0) last--;
  return bars.slice(first, last + 1);
};

const bucketLabel = (bar: Bar): string =>
  bar.open ? `> ${formatMs(bar.lowerMs)}` : `${formatMs(bar.lowerMs)} – ${formatMs(bar.upperMs)}`;

const renderBars = (bars: readonly Bar[], total: number, x: Scale, y: Scale): string =>
  bars
    .filter((bar) => bar.count > 0)
    .map((bar) => {
      const x0 = x.map(bar.lowerMs);
      const width = Math.max(1, x.map(bar.upperMs) - x0 - 1);
      const top = y.map(bar.count);
      const tip = `${bucketLabel(bar)}: ${formatCount(bar.count)} (${formatPercent(bar.count, total)})`;
      return (
        `<rect class="bar" x="${px(x0 + 0.5)}" y="${px(top)}" width="${px(width)}" ` +
        `height="${px(Math.max(0, PLOT_AREA.bottom - top))}"><title>${escapeHtml(tip)}</title></rect>`
      );
    })
    .join('');

const renderMarkers = (markers: readonly HistogramMarker[], x: Scale): string => {
  const [lo, hi] = x.domain;
  const { right, top, bottom } = PLOT_AREA;
  return markers
    .filter((m) => Number.isFinite(m.valueMs) && m.valueMs >= lo && m.valueMs <= hi)
    .map((m, i) => {
      const mx = x.map(m.valueMs);
      // Percentiles often sit close together; staggering the labels keeps them legible.
      const ly = top + 12 + i * 13;
      const nearRight = mx > right - 90;
      const text = `${m.label} ${formatMs(m.valueMs)}`;
      return (
        `<line class="marker" x1="${px(mx)}" y1="${top}" x2="${px(mx)}" y2="${bottom}"/>` +
        `<text class="marker-label" x="${px(nearRight ? mx - 4 : mx + 4)}" y="${ly}" ` +
        `text-anchor="${nearRight ? 'end' : 'start'}">${escapeHtml(text)}</text>`
      );
    })
    .join('');
};

/** Bars of `buckets` on a log latency axis; "no data" when no bucket has samples. */
export const renderHistogramChart = (spec: HistogramChartSpec): string => {
  const bars = histogramBars(spec.buckets);
  const first = bars[0];
  const last = bars.at(-1);
  if (!first || !last) return renderEmptyChart(spec.plot, spec.title);
  const total = bars.reduce((sum, bar) => sum + bar.count, 0);
  const [, maxCount] = extent(bars.map((bar) => bar.count));
  const { left, right, top, bottom } = PLOT_AREA;
  const x = logScale(first.lowerMs, last.upperMs, left, right);
  const y = linearScale(0, niceCeiling(maxCount), bottom, top, 5);
  return renderChart({
    plot: spec.plot,
    title: spec.title,
    x: { scale: x, label: 'latency (ms, log scale)', format: formatMs },
    y: { scale: y, label: 'deliveries', format: formatCompact },
    body: renderBars(bars, total, x, y) + renderMarkers(spec.markers ?? [], x),
  });
};
