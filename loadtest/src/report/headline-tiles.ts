/**
 * The row of big numbers under the header: the handful of values someone skimming the report
 * wants before any table. Tiles turn red when the value means something went wrong.
 */

import type { RunReport } from './run-report.ts';
import { escapeHtml } from './html-escape.ts';
import { MISSING, formatCount, formatMs, formatPercent } from './report-format.ts';

interface Tile {
  label: string;
  value: string;
  detail?: string;
  bad?: boolean;
}

const tiles = (report: RunReport): Tile[] => {
  const { connections: c, messages: m, latencyMs } = report;
  // Percentiles of no samples come as zeros; show them as missing rather than as 0 ms.
  const ms = (value: number): string => (latencyMs.count === 0 ? MISSING : formatMs(value));
  const errorCount = report.errors.reduce((sum, e) => sum + (Number.isFinite(e.count) ? e.count : 0), 0);
  return [
    { label: 'p50 latency', value: ms(latencyMs.p50) },
    { label: 'p99 latency', value: ms(latencyMs.p99), detail: `max ${ms(latencyMs.max)}` },
    {
      label: 'delivered',
      value: formatPercent(m.deliveriesReceived, m.deliveriesExpected),
      detail: `${formatCount(m.deliveriesReceived)} of ${formatCount(m.deliveriesExpected)}`,
    },
    { label: 'lost', value: formatCount(m.lost), bad: m.lost > 0 },
    { label: 'connections', value: formatCount(c.succeeded), detail: `of ${formatCount(c.attempted)} attempted` },
    {
      label: 'connect failures',
      value: formatCount(c.failed),
      detail: formatPercent(c.failed, c.attempted),
      bad: c.failed > 0,
    },
    { label: 'errors', value: formatCount(errorCount), bad: errorCount > 0 },
  ];
};

/** The tiles as a flex row. */
export const renderHeadlineTiles = (report: RunReport): string =>
  `<div class="tiles">${tiles(report)
    .map(
      (t) =>
        `<div class="tile${t.bad ? ' tile-bad' : ''}"><div class="tile-label">${escapeHtml(t.label)}</div>` +
        `<div class="tile-value">${escapeHtml(t.value)}</div>` +
        (t.detail ? `<div class="tile-detail">${escapeHtml(t.detail)}</div>` : '') +
        '</div>',
    )
    .join('')}</div>`;
