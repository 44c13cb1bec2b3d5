/**
 * The summary tables of a run: connections, messages and latency. Counts that mean something
 * went wrong (failures, loss, duplicates, reordering) are flagged with the `bad` row class when
 * they are non-zero, so a reader's eye lands on them first.
 */

import type { Percentiles, RunReport } from './run-report.ts';
import { renderTable, type Row } from './html-table.ts';
import { MISSING, formatCount, formatMs, formatPercent } from './report-format.ts';

const flagged = (count: number): string | undefined => (Number.isFinite(count) && count > 0 ? 'bad' : undefined);

/** A count with its share of `whole` in parentheses, e.g. `9,990 (99.90 %)`. */
const countWithShare = (count: number, whole: number): string => {
  const share = formatPercent(count, whole);
  return share === MISSING ? formatCount(count) : `${formatCount(count)} (${share})`;
};

/** Percentile rows, one per statistic, for a vertical table. */
const percentileRows = (p: Percentiles): Row[] => {
  // Percentiles of no samples are reported as zeros; "0 ms" would read as perfect latency.
  const ms = (value: number): string => (p.count === 0 ? MISSING : formatMs(value));
  return [
    { cells: ['p50', ms(p.p50)] },
    { cells: ['p90', ms(p.p90)] },
    { cells: ['p99', ms(p.p99)] },
    { cells: ['p99.9', ms(p.p999)] },
    { cells: ['max', ms(p.max)] },
    { cells: ['mean', ms(p.mean)] },
    { cells: ['samples', formatCount(p.count)] },
  ];
};

/** Connection counts, failures by reason (most frequent first) and connect-time percentiles. */
export const renderConnectionsTables = (report: RunReport): string => {
  const c = report.connections;
  const counts = renderTable([
    { cells: ['attempted', formatCount(c.attempted)] },
    { cells: ['succeeded', countWithShare(c.succeeded, c.attempted)] },
    { cells: ['failed', countWithShare(c.failed, c.attempted)], className: flagged(c.failed) },
  ]);
  const reasons = Object.entries(c.failedByReason).sort(([, a], [, b]) => b - a);
  const failures =
    reasons.length === 0
      ? ''
      : `<h4>Failures by reason</h4>${renderTable(
          reasons.map(([reason, count]) => ({ cells: [reason, formatCount(count)], className: 'bad' })),
        )}`;
  const connect = `<h4>Connect time (handshake → welcome)</h4>${renderTable(percentileRows(c.connectMs))}`;
  return counts + failures + connect;
};

/** What was pushed and what arrived, with loss as a share of the deliveries owed. */
export const renderMessagesTable = (report: RunReport): string => {
  const m = report.messages;
  return renderTable([
    { cells: ['pushes sent', formatCount(m.pushesSent)] },
    { cells: ['push errors', countWithShare(m.pushErrors, m.pushesSent + m.pushErrors)], className: flagged(m.pushErrors) },
    { cells: ['deliveries expected', formatCount(m.deliveriesExpected)] },
    { cells: ['deliveries received', countWithShare(m.deliveriesReceived, m.deliveriesExpected)] },
    { cells: ['lost', countWithShare(m.lost, m.deliveriesExpected)], className: flagged(m.lost) },
    { cells: ['duplicates', formatCount(m.duplicates)], className: flagged(m.duplicates) },
    { cells: ['out of order', formatCount(m.outOfOrder)], className: flagged(m.outOfOrder) },
    { cells: ['acks sent', formatCount(m.acksSent)] },
  ]);
};

/** End-to-end delivery latency percentiles (push sent → frame received). */
export const renderLatencyTable = (report: RunReport): string => renderTable(percentileRows(report.latencyMs));
