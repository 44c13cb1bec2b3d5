/**
 * The four plots of a run (or of one phase of a progressive run): which report fields each one
 * shows, with which colours and units. Chart drawing itself lives in the chart modules.
 */

import type { RunReport } from './run-report.ts';
import { extent } from './chart-scale.ts';
import { renderHistogramChart } from './histogram-chart.ts';
import { renderLineChart, type LineSeries } from './line-chart.ts';
import { formatCompact, formatCount, formatMs } from './report-format.ts';

/** The `data-plot` names, stable so tests and readers can find each chart. */
export const PLOT_NAMES = [
  'latency-histogram',
  'latency-over-time',
  'throughput-over-time',
  'connections-over-time',
] as const;

export type PlotName = (typeof PLOT_NAMES)[number];

// Colour-blind-safe pairs (blue/orange, purple/green) so p50 and p99 stay apart in greyscale too.
const COLORS = {
  p50: '#2563eb',
  p99: '#ea580c',
  sent: '#7c3aed',
  received: '#059669',
  connections: '#0e7490',
} as const;

/**
 * The shared time axis: the whole timeline on every chart, so they line up even when a series
 * starts late (no deliveries yet); lines break where samples are missing for over 1.5 intervals.
 */
const timeAxis = (report: RunReport) => ({
  xDomain: extent(report.timeline.map((p) => p.t).filter(Number.isFinite)),
  xLabel: 'time since start (s)',
  formatXTick: formatCompact,
  formatXValue: (t: number): string => `t = ${formatCompact(t)} s`,
  maxGapX: (report.timelineIntervalMs / 1000) * 1.5,
});

const latencyOverTime = (report: RunReport, plot: string): string => {
  const series: LineSeries[] = [
    { label: 'p50', color: COLORS.p50, points: report.timeline.map((p) => ({ x: p.t, y: p.p50Ms })) },
    { label: 'p99', color: COLORS.p99, points: report.timeline.map((p) => ({ x: p.t, y: p.p99Ms })) },
  ];
  return renderLineChart({
    plot,
    title: 'Delivery latency over time',
    ...timeAxis(report),
    yLabel: 'latency (ms)',
    formatYTick: formatCompact,
    formatYValue: formatMs,
    series,
  });
};

const throughputOverTime = (report: RunReport, plot: string): string => {
  const series: LineSeries[] = [
    { label: 'pushes sent/s', color: COLORS.sent, points: report.timeline.map((p) => ({ x: p.t, y: p.sentPerSec })) },
    {
      label: 'frames received/s',
      color: COLORS.received,
      points: report.timeline.map((p) => ({ x: p.t, y: p.receivedPerSec })),
    },
  ];
  return renderLineChart({
    plot,
    title: 'Throughput over time',
    ...timeAxis(report),
    yLabel: 'messages per second',
    formatYTick: formatCompact,
    formatYValue: (v) => `${formatCount(v)} /s`,
    series,
  });
};

const connectionsOverTime = (report: RunReport, plot: string): string =>
  renderLineChart({
    plot,
    title: 'Open connections over time',
    ...timeAxis(report),
    yLabel: 'open connections',
    formatYTick: formatCompact,
    formatYValue: formatCount,
    series: [
      {
        label: 'connections',
        color: COLORS.connections,
        points: report.timeline.map((p) => ({ x: p.t, y: p.connections })),
      },
    ],
  });

/**
 * The four plots as a grid. `plotPrefix` (e.g. `phase-2-`) keeps `data-plot` values unique when
 * several runs share one page.
 */
export const renderReportPlots = (report: RunReport, plotPrefix = ''): string => {
  const name = (plot: PlotName): string => `${plotPrefix}${plot}`;
  const charts = [
    renderHistogramChart({
      plot: name('latency-histogram'),
      title: 'Delivery latency distribution',
      buckets: report.latencyHistogram,
      markers:
        report.latencyMs.count === 0
          ? []
          : [
              { label: 'p50', valueMs: report.latencyMs.p50 },
              { label: 'p99', valueMs: report.latencyMs.p99 },
              { label: 'p99.9', valueMs: report.latencyMs.p999 },
            ],
    }),
    latencyOverTime(report, name('latency-over-time')),
    throughputOverTime(report, name('throughput-over-time')),
    connectionsOverTime(report, name('connections-over-time')),
  ];
  return `<div class="plots">${charts.map((chart) => `<figure class="plot">${chart}</figure>`).join('')}</div>`;
};
