/**
 * The frame every report chart shares: the `<svg>` element, title, legend, grid, axes with tick
 * labels and units. Chart kinds (line, histogram) draw only their data and hand it over as `body`.
 * Styling lives in the document's stylesheet, keyed on the class names used here.
 */

import { escapeHtml } from './html-escape.ts';
import type { Scale } from './chart-scale.ts';

/** The viewBox, in SVG user units; the stylesheet scales it to the column width. */
export const CHART_WIDTH = 600;
export const CHART_HEIGHT = 300;

/** The plotting area inside the viewBox: room above for title and legend, left and below for axes. */
export const PLOT_AREA = { left: 64, right: CHART_WIDTH - 20, top: 56, bottom: CHART_HEIGHT - 48 } as const;

/** Estimated width of a tick label in user units (11 px sans-serif), to keep labels apart. */
const labelWidth = (text: string): number => text.length * 6.4;

export interface ChartAxis {
  scale: Scale;
  /** Axis title including the unit, e.g. `latency (ms)`. */
  label: string;
  format: (value: number) => string;
}

export interface LegendEntry {
  label: string;
  color: string;
}

export interface ChartSpec {
  /** Value of the `data-plot` attribute, the stable handle tests and readers use. */
  plot: string;
  title: string;
  x: ChartAxis;
  y: ChartAxis;
  /** Pre-rendered SVG elements of the data, in the viewBox's coordinates. */
  body: string;
  legend?: readonly LegendEntry[];
}

/** A coordinate for an SVG attribute: one decimal, and never `NaN`. */
export const px = (value: number): string => (Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0');

const openSvg = (plot: string, title: string): string =>
  `<svg class="chart" data-plot="${escapeHtml(plot)}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" ` +
  `role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>` +
  `<text class="chart-title" x="16" y="24">${escapeHtml(title)}</text>`;

/** Keeps ticks whose labels would not overlap the previously kept one. */
const spacedXTicks = (axis: ChartAxis): Array<{ value: number; x: number; text: string }> => {
  const kept: Array<{ value: number; x: number; text: string }> = [];
  for (const value of axis.scale.ticks) {
    const tick = { value, x: axis.scale.map(value), text: axis.format(value) };
    const previous = kept.at(-1);
    if (previous && tick.x - previous.x < (labelWidth(previous.text) + labelWidth(tick.text)) / 2 + 10) continue;
    kept.push(tick);
  }
  return kept;
};

const renderXAxis = (axis: ChartAxis): string => {
  const { left, right, top, bottom } = PLOT_AREA;
  const ticks = spacedXTicks(axis)
    .map(
      ({ x, text }) =>
        `<line class="grid" x1="${px(x)}" y1="${top}" x2="${px(x)}" y2="${bottom}"/>` +
        `<text class="tick" x="${px(x)}" y="${bottom + 17}" text-anchor="middle">${escapeHtml(text)}</text>`,
    )
    .join('');
  return (
    `<g class="axis axis-x">${ticks}<line class="axis-line" x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}"/>` +
    `<text class="axis-label" x="${px((left + right) / 2)}" y="${CHART_HEIGHT - 10}" text-anchor="middle">` +
    `${escapeHtml(axis.label)}</text></g>`
  );
};

const renderYAxis = (axis: ChartAxis): string => {
  const { left, right, top, bottom } = PLOT_AREA;
  let lastY = Number.POSITIVE_INFINITY;
  const ticks: string[] = [];
  for (const value of axis.scale.ticks) {
    const y = axis.scale.map(value);
    // 11 px labels need about 14 units of vertical room.
    if (lastY - y < 14) continue;
    lastY = y;
    ticks.push(
      `<line class="grid" x1="${left}" y1="${px(y)}" x2="${right}" y2="${px(y)}"/>` +
        `<text class="tick" x="${left - 8}" y="${px(y + 4)}" text-anchor="end">${escapeHtml(axis.format(value))}</text>`,
    );
  }
  const midY = px((top + bottom) / 2);
  return (
    `<g class="axis axis-y">${ticks.join('')}<line class="axis-line" x1="${left}" y1="${top}" x2="${left}" y2="${bottom}"/>` +
    `<text class="axis-label" x="16" y="${midY}" text-anchor="middle" transform="rotate(-90 16 ${midY})">` +
    `${escapeHtml(axis.label)}</text></g>`
  );
};

const renderLegend = (entries: readonly LegendEntry[]): string => {
  let x = 16;
  const items = entries.map(({ label, color }) => {
    const item =
      `<rect class="legend-swatch" x="${px(x)}" y="35" width="14" height="4" fill="${escapeHtml(color)}"/>` +
      `<text class="legend-label" x="${px(x + 20)}" y="41">${escapeHtml(label)}</text>`;
    x += 20 + labelWidth(label) + 18;
    return item;
  });
  return `<g class="legend">${items.join('')}</g>`;
};

/** A complete chart: frame, axes, grid, then the data on top. */
export const renderChart = (spec: ChartSpec): string =>
  openSvg(spec.plot, spec.title) +
  renderYAxis(spec.y) +
  renderXAxis(spec.x) +
  `<g class="data">${spec.body}</g>` +
  (spec.legend && spec.legend.length > 0 ? renderLegend(spec.legend) : '') +
  '</svg>';

/** The same frame with a message instead of data, so the page layout does not shift. */
export const renderEmptyChart = (plot: string, title: string, message = 'no data'): string => {
  const { left, right, top, bottom } = PLOT_AREA;
  return (
    openSvg(plot, title) +
    `<rect class="plot-empty" x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/>` +
    `<text class="no-data" x="${px((left + right) / 2)}" y="${px((top + bottom) / 2)}" text-anchor="middle">` +
    `${escapeHtml(message)}</text></svg>`
  );
};
