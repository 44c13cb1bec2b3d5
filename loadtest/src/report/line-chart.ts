/**
 * Line charts over the run's timeline. Missing or non-finite values break the line instead of
 * dropping to zero, so an interval without deliveries shows as a gap, not as perfect latency.
 */

import { escapeHtml } from './html-escape.ts';
import { extent, linearScale, niceCeiling, type Scale } from './chart-scale.ts';
import { PLOT_AREA, px, renderChart, renderEmptyChart } from './svg-chart.ts';

export interface LinePoint {
  x: number;
  /** Undefined or non-finite leaves a gap. */
  y: number | undefined;
}

export interface LineSeries {
  label: string;
  color: string;
  points: readonly LinePoint[];
}

export interface LineChartSpec {
  plot: string;
  title: string;
  xLabel: string;
  yLabel: string;
  formatXTick: (x: number) => string;
  formatYTick: (y: number) => string;
  /** Values in hover tooltips, with units. */
  formatXValue: (x: number) => string;
  formatYValue: (y: number) => string;
  series: readonly LineSeries[];
  /** Consecutive points further apart than this (in x units) are not joined, e.g. across a cooldown. */
  maxGapX?: number;
  /** The x range to show, so charts of one timeline line up; defaults to the drawn points' range. */
  xDomain?: readonly [number, number];
}

/** Above this many distinct x values the hover columns would bloat the file more than they help. */
const MAX_HOVER_COLUMNS = 900;
/** With few points, markers make each sample visible; with many, they turn into a smear. */
const MAX_MARKED_POINTS = 40;

const isDrawn = (p: LinePoint): p is { x: number; y: number } => Number.isFinite(p.x) && Number.isFinite(p.y);

/** Splits a series into runs of consecutive drawable points no more than `maxGap` apart. */
const segments = (points: readonly LinePoint[], maxGap: number): Array<Array<{ x: number; y: number }>> => {
  const runs: Array<Array<{ x: number; y: number }>> = [[]];
  for (const p of points) {
    const run = runs.at(-1) ?? [];
    const previous = run.at(-1);
    if (!isDrawn(p)) {
      if (previous) runs.push([]);
    } else if (previous && p.x - previous.x > maxGap) {
      runs.push([p]);
    } else {
      run.push(p);
    }
  }
  return runs.filter((run) => run.length > 0);
};

const renderSeries = (series: LineSeries, x: Scale, y: Scale, maxGap: number): string => {
  const color = escapeHtml(series.color);
  const runs = segments(series.points, maxGap);
  const d = runs
    .filter((run) => run.length > 1)
    .map((run) => run.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(x.map(p.x))} ${px(y.map(p.y))}`).join(''))
    .join('');
  const path = d ? `<path class="series" d="${d}" stroke="${color}"/>` : '';
  const drawnCount = runs.reduce((sum, run) => sum + run.length, 0);
  // Lone points have no line through them, so they always get a marker.
  const marked = drawnCount <= MAX_MARKED_POINTS ? runs.flat() : runs.filter((run) => run.length === 1).flat();
  const markers = marked
    .map((p) => `<circle class="point" cx="${px(x.map(p.x))}" cy="${px(y.map(p.y))}" r="2.5" fill="${color}"/>`)
    .join('');
  return path + markers;
};

/** Invisible full-height columns, one per sample, whose native SVG tooltips list every series. */
const renderHoverColumns = (spec: LineChartSpec, x: Scale): string => {
  const xs = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p.x)).filter(Number.isFinite))].sort(
    (a, b) => a - b,
  );
  if (xs.length > MAX_HOVER_COLUMNS) return '';
  const { left, right, top, bottom } = PLOT_AREA;
  return xs
    .map((value, i) => {
      const prev = xs[i - 1];
      const next = xs[i + 1];
      const from = prev === undefined ? left : (x.map(prev) + x.map(value)) / 2;
      const to = next === undefined ? right : (x.map(value) + x.map(next)) / 2;
      const lines = spec.series.map((s) => {
        const y = s.points.find((p) => p.x === value)?.y;
        return `${s.label}: ${y !== undefined && Number.isFinite(y) ? spec.formatYValue(y) : 'no data'}`;
      });
      const tip = [spec.formatXValue(value), ...lines].join('\n');
      return (
        `<rect class="hover" x="${px(from)}" y="${top}" width="${px(Math.max(0, to - from))}" ` +
        `height="${bottom - top}"><title>${escapeHtml(tip)}</title></rect>`
      );
    })
    .join('');
};

/** A line chart with a linear x axis and a y axis from zero; "no data" when nothing is drawable. */
export const renderLineChart = (spec: LineChartSpec): string => {
  const drawn = spec.series.flatMap((s) => s.points.filter(isDrawn));
  if (drawn.length === 0) return renderEmptyChart(spec.plot, spec.title);
  const [xMin, xMax] = spec.xDomain ?? extent(drawn.map((p) => p.x));
  const [yMin, yMax] = extent(drawn.map((p) => p.y));
  const { left, right, top, bottom } = PLOT_AREA;
  const x = linearScale(xMin, xMax, left, right, 8, true);
  // Rates and latencies are read against zero; the top is rounded up to a grid line.
  const y = linearScale(Math.min(0, yMin), niceCeiling(yMax), bottom, top, 5);
  const maxGap = spec.maxGapX !== undefined && spec.maxGapX > 0 ? spec.maxGapX : Number.POSITIVE_INFINITY;
  const body = spec.series.map((s) => renderSeries(s, x, y, maxGap)).join('') + renderHoverColumns(spec, x);
  return renderChart({
    plot: spec.plot,
    title: spec.title,
    x: { scale: x, label: spec.xLabel, format: spec.formatXTick },
    y: { scale: y, label: spec.yLabel, format: spec.formatYTick },
    body,
    legend: spec.series.map(({ label, color }) => ({ label, color })),
  });
};
