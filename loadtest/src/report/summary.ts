import type { Percentiles, RunReport } from './run-report.ts';

const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value.toFixed(2)}ms`);
const int = (value: number) => Math.round(value).toLocaleString('en-US');
const percent = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(2)}%`);
const row = (name: string, value: string) => `  ${`${name} `.padEnd(28, '.')} ${value}`;
const spread = (p: Percentiles) => `p50=${ms(p.p50)} p90=${ms(p.p90)} p99=${ms(p.p99)} p99.9=${ms(p.p999)} max=${ms(p.max)} (n=${int(p.count)})`;

/** The end-of-run summary, one figure per line, in the spirit of k6's. */
export function formatSummary(report: RunReport): string {
  const { connections: c, messages: m } = report;
  const lines = [
    '',
    `  scenario: ${report.scenario}   target: ${report.target}   duration: ${(report.durationMs / 1000).toFixed(1)}s`,
    '',
    row('connections', `${int(c.succeeded)}/${int(c.attempted)} succeeded (${percent(c.succeeded, c.attempted)})`),
    ...Object.entries(c.failedByReason).map(([reason, n]) => row(`  failed: ${reason}`, int(n))),
    row('connect time', spread(c.connectMs)),
    row('pushes sent', `${int(m.pushesSent)} (${int(m.pushErrors)} failed)`),
    row('deliveries', `${int(m.deliveriesReceived)}/${int(m.deliveriesExpected)} (${percent(m.deliveriesExpected - m.lost, m.deliveriesExpected)})`),
    row('lost', int(m.lost)),
    row('duplicates', int(m.duplicates)),
    row('out of order', int(m.outOfOrder)),
    row('acks sent', int(m.acksSent)),
    row('latency push→receive', spread(report.latencyMs)),
    row('throughput', `${int(m.deliveriesReceived / Math.max(0.001, report.durationMs / 1000))} deliveries/s`),
  ];
  if (report.saturation && report.scenario === 'chat') {
    const s = report.saturation;
    lines.push(row('message rate plateau', `${int(s.plateauPerSec)}/s (from ${s.plateauAtS.toFixed(0)}s)`));
    lines.push(
      row('first handshake timeout', s.firstHandshakeTimeoutS === undefined ? 'none' : `at ${s.firstHandshakeTimeoutS.toFixed(1)}s with ${int(s.connectionsAtFirstTimeout ?? 0)} open`),
    );
  }
  if (report.errors.length > 0) {
    lines.push('', '  errors:');
    for (const error of report.errors) lines.push(`    ${int(error.count).padStart(8)}  ${error.message}`);
  }
  if (report.thresholds.length > 0) {
    lines.push('', '  thresholds:');
    for (const t of report.thresholds) lines.push(`    ${t.passed ? '✓' : '✗'} ${t.expression.padEnd(20)} actual ${Number.isNaN(t.actual) ? 'n/a (nothing measured)' : Number(t.actual.toFixed(3))}`);
  }
  return `${lines.join('\n')}\n`;
}
