/**
 * The bench's terminal report: one line per server run, the figures folded over the runs with the
 * subject/peer ratios, and what was lost. The same figures go to the JSON and to docs/benchmarks.md.
 */
import type { ServerKind } from './bench-options.ts';
import { figureOf, formatRatio, formatSpread, formatValue, type FigureRow } from './figures.ts';
import type { ServerRun } from './server-run.ts';

/** Left-aligns the first `leftColumns` columns, right-aligns the rest. */
export const renderTable = (header: readonly string[], rows: readonly string[][], leftColumns = 3): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
};

const broadcastOf = (run: ServerRun, scenario: 'single' | 'burst') => run.broadcasts.find((r) => r.scenario === scenario);

export const formatRunsTable = (runs: readonly ServerRun[]): string =>
  renderTable(
    ['conns', 'server', 'run', 'bcast dlv/s', 'burst dlv/s', 'srv cpu s/1M', 'cli cpu s/1M', 'p50 ms', 'p99 ms', 'max ms', 'KiB/conn', 'base MiB', 'lost'],
    runs.map((run) => {
      const single = broadcastOf(run, 'single');
      const burst = broadcastOf(run, 'burst');
      const lost = run.broadcasts.reduce((sum, r) => sum + r.lost, 0) + (run.latency?.lost ?? 0);
      return [
        String(run.connections),
        run.server,
        `#${run.repeat}`,
        formatValue(single?.deliveriesPerSec, 0),
        formatValue(burst?.deliveriesPerSec, 0),
        formatValue(single?.serverCpuUsPerDelivery, 2),
        formatValue(single?.clientCpuUsPerDelivery, 2),
        formatValue(run.latency?.p50Ms, 2),
        formatValue(run.latency?.p99Ms, 2),
        formatValue(run.latency?.maxMs, 2),
        formatValue(run.memory.perConnectionKb, 1),
        formatValue(run.memory.baseKb === undefined ? undefined : run.memory.baseKb / 1024, 1),
        String(lost),
      ];
    }),
  );

export const formatFiguresTable = (rows: readonly FigureRow[], subject: ServerKind): string =>
  renderTable(
    ['figure', 'conns', 'server', 'median [min–max]', `${subject}/server`],
    rows.map((row) => {
      const figure = figureOf(row.figure);
      return [`${figure.title} (${figure.unit})`, String(row.connections), row.server, formatSpread(row.value, figure.digits), row.server === subject ? '' : formatRatio(row.ratio)];
    }),
  );

export interface LossRow {
  server: ServerKind;
  connections: number;
  broadcastExpected: number;
  broadcastLost: number;
  pushesAccepted: number;
  pushesLost: number;
  pushDuplicates: number;
  /** One-user pushes the publisher sent more than 5 ms behind its schedule. */
  latePushes: number;
}

/** Deliveries expected and lost per server and connection count, over all its runs. */
export const summarizeLoss = (runs: readonly ServerRun[]): LossRow[] => {
  const rows = new Map<string, LossRow>();
  for (const run of runs) {
    const key = `${run.server}|${run.connections}`;
    const row = rows.get(key) ?? { server: run.server, connections: run.connections, broadcastExpected: 0, broadcastLost: 0, pushesAccepted: 0, pushesLost: 0, pushDuplicates: 0, latePushes: 0 };
    for (const result of run.broadcasts) {
      row.broadcastExpected += result.expected;
      row.broadcastLost += result.lost;
    }
    row.pushesAccepted += run.latency?.accepted ?? 0;
    row.pushesLost += run.latency?.lost ?? 0;
    row.pushDuplicates += run.latency?.duplicates ?? 0;
    row.latePushes += run.latency?.publisherLatePushes ?? 0;
    rows.set(key, row);
  }
  return [...rows.values()];
};

export const formatLossTable = (rows: readonly LossRow[]): string =>
  renderTable(
    ['server', 'conns', '', 'broadcast deliveries', 'lost', 'one-user pushes', 'lost', 'duplicates', 'sent late'],
    rows.map((r) => [r.server, String(r.connections), '', formatValue(r.broadcastExpected, 0), formatValue(r.broadcastLost, 0), formatValue(r.pushesAccepted, 0), formatValue(r.pushesLost, 0), formatValue(r.pushDuplicates, 0), formatValue(r.latePushes, 0)]),
  );

export const LEGEND = `deliveries/s  deliveries / summed trigger-to-last-delivery time of the rounds (higher is better)
cpu s/1M      CPU (user+sys, all threads and child processes) per million single-broadcast deliveries, of the
              server / of all client workers, 10 ms ticks; when the clients' rivals the server's, the
              harness is what limits the figure
p50/p99/max   one-user push latency: publisher's send -> client's receipt, over one latency window
KiB/conn      (server RSS with all connections idle - RSS before any) / connections
Figures are the median over the runs with their range; ratios pair the subject with a peer run by
run (the two ran back to back), so above 1.00x favours the subject for deliveries/s, below 1.00x for the rest.`;
