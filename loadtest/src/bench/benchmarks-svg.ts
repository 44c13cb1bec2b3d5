/**
 * The plot of docs/benchmarks.md, written as SVG by hand: broadcast deliveries/s and one-user push
 * p99 by connection count, one line per server through the medians, a whisker for each min–max.
 * Standalone (styles inline), so it renders the same as a file, an <img> or on a repository page.
 */
import { escapeHtml } from '../report/html-escape.ts';
import { linearScale, niceCeiling } from '../report/chart-scale.ts';
import type { ServerKind } from './bench-options.ts';
import type { FigureKey, FigureRow } from './figures.ts';

const WIDTH = 960;
const HEIGHT = 380;
const PANEL = { width: 440, top: 64, bottom: HEIGHT - 56, left: 72, gap: 40 } as const;
const DODGE_PX = 5;

/** One colour per server, fixed so a server keeps its colour from one run of the docs to the next. */
export const SERVER_COLORS: Record<ServerKind, string> = {
  wsgw: '#d6336c',
  'wsgw-norecord': '#e8590c',
  'wsgw-bare': '#f783ac',
  'wsgw-cluster': '#862e9c',
  raw: '#495057',
  socketio: '#1c7ed6',
  nchan: '#2f9e44',
};

const px = (v: number): string => (Number.isFinite(v) ? String(Math.round(v * 10) / 10) : '0');

const compact = (value: number): string =>
  value >= 1_000_000 ? `${Number((value / 1_000_000).toPrecision(3))}M` : value >= 1000 ? `${Number((value / 1000).toPrecision(3))}k` : String(Number(value.toPrecision(3)));

interface PanelSpec {
  figure: FigureKey;
  title: string;
  yLabel: string;
  left: number;
}

const renderPanel = (spec: PanelSpec, rows: readonly FigureRow[], servers: readonly ServerKind[], counts: readonly number[]): string => {
  const mine = rows.filter((r) => r.figure === spec.figure);
  const right = spec.left + PANEL.width - 16;
  const plotLeft = spec.left + PANEL.left;
  const y = linearScale(0, niceCeiling(Math.max(0, ...mine.map((r) => r.value.max))), PANEL.bottom, PANEL.top, 5);
  const xOf = (connections: number): number => {
    const i = counts.indexOf(connections);
    return counts.length <= 1 ? (plotLeft + right) / 2 : plotLeft + 30 + (i * (right - plotLeft - 60)) / (counts.length - 1);
  };
  const parts: string[] = [
    `<text x="${px(spec.left + PANEL.width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="600">${escapeHtml(spec.title)}</text>`,
    `<text transform="translate(${px(spec.left + 16)} ${px((PANEL.top + PANEL.bottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="12">${escapeHtml(spec.yLabel)}</text>`,
    `<text x="${px((plotLeft + right) / 2)}" y="${px(HEIGHT - 14)}" text-anchor="middle" font-size="12">connections</text>`,
  ];
  for (const tick of y.ticks) {
    parts.push(
      `<line x1="${px(plotLeft)}" x2="${px(right)}" y1="${px(y.map(tick))}" y2="${px(y.map(tick))}" stroke="#dee2e6"/>`,
      `<text x="${px(plotLeft - 6)}" y="${px(y.map(tick) + 4)}" text-anchor="end" font-size="11">${compact(tick)}</text>`,
    );
  }
  for (const connections of counts) {
    parts.push(`<text x="${px(xOf(connections))}" y="${px(PANEL.bottom + 18)}" text-anchor="middle" font-size="11">${compact(connections)}</text>`);
  }
  parts.push(`<line x1="${px(plotLeft)}" x2="${px(plotLeft)}" y1="${PANEL.top}" y2="${PANEL.bottom}" stroke="#868e96"/>`);
  parts.push(`<line x1="${px(plotLeft)}" x2="${px(right)}" y1="${PANEL.bottom}" y2="${PANEL.bottom}" stroke="#868e96"/>`);
  servers.forEach((server, index) => {
    const points = mine.filter((r) => r.server === server).sort((a, b) => a.connections - b.connections);
    if (points.length === 0) return;
    const color = SERVER_COLORS[server];
    // Servers are set a few pixels apart at each count, so overlapping whiskers stay readable.
    const dodge = (index - (servers.length - 1) / 2) * DODGE_PX;
    const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(xOf(p.connections) + dodge)} ${px(y.map(p.value.median))}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2" data-server="${escapeHtml(server)}"/>`);
    for (const p of points) {
      const x = xOf(p.connections) + dodge;
      parts.push(
        `<line x1="${px(x)}" x2="${px(x)}" y1="${px(y.map(p.value.min))}" y2="${px(y.map(p.value.max))}" stroke="${color}" stroke-width="1.5"/>`,
        `<circle cx="${px(x)}" cy="${px(y.map(p.value.median))}" r="3.5" fill="${color}"><title>${escapeHtml(`${server} @ ${p.connections}: ${compact(p.value.median)}`)}</title></circle>`,
      );
    }
  });
  return `<g data-plot="${spec.figure}">${parts.join('')}</g>`;
};

/** Both panels and one legend for the servers that have any figure. */
export const renderBenchmarksSvg = (rows: readonly FigureRow[], servers: readonly ServerKind[]): string => {
  const counts = [...new Set(rows.map((r) => r.connections))].sort((a, b) => a - b);
  const shown = servers.filter((s) => rows.some((r) => r.server === s));
  const legend = shown
    .map((server, i) => {
      const x = PANEL.left + i * 130;
      return `<rect x="${x}" y="38" width="14" height="4" fill="${SERVER_COLORS[server]}"/><text x="${x + 20}" y="44" font-size="12">${escapeHtml(server)}</text>`;
    })
    .join('');
  const panels = [
    renderPanel({ figure: 'broadcast', title: 'Broadcast throughput', yLabel: 'deliveries/s (median, min–max)', left: 0 }, rows, shown, counts),
    renderPanel({ figure: 'latency-p99', title: 'One-user push latency p99', yLabel: 'p99 latency, ms (median, min–max)', left: PANEL.width + PANEL.gap }, rows, shown, counts),
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="system-ui, sans-serif" fill="#212529"><rect width="100%" height="100%" fill="#ffffff"/>${legend}${panels.join('')}</svg>\n`;
};
