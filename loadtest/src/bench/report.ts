/**
 * Turns scenario results into the printed table, the gateway/raw ratio lines
 * and the JSON document. Ratios compare rows measured in the same run, which
 * is what stays meaningful on a noisy shared machine.
 */
import type { ServerKind } from './bench-options.ts';
import type { ScenarioResult } from './scenarios.ts';

export interface RatioRow {
  /** `numerator/denominator` server kinds, e.g. `gateway/raw`. */
  pair: string;
  connections: number;
  scenario: string;
  /** Both rows come from this `--repeat` run. */
  repeat: number;
  deliveriesPerSec: number;
  usPerSend: number;
  ttlP50Ms: number;
  ttlP99Ms: number;
  serverCpuUsPerDelivery: number | undefined;
}

/** One ratio over every repeat of a pair: the median, and the range it came from. */
export interface RatioSpread {
  median: number;
  min: number;
  max: number;
}

export interface RatioSummary {
  pair: string;
  connections: number;
  scenario: string;
  repeats: number;
  deliveriesPerSec: RatioSpread;
  serverCpuUsPerDelivery: RatioSpread | undefined;
}

const scenarioLabel = (r: ScenarioResult): string => (r.scenario === 'single' ? 'single' : `burst x${r.pushesPerRound}`);

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);

const grouped = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-');

const times = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? '-' : `${value.toFixed(2)}x`);

const renderTable = (header: string[], rows: string[][]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 4 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
};

export const formatResultsTable = (results: readonly ScenarioResult[]): string =>
  renderTable(
    ['conns', 'scenario', 'server', 'rep', 'rounds', 'deliveries/s', 'us/send', 'ttl p50 ms', 'ttl p99 ms', 'srv cpu us/dlv', 'cli cpu us/dlv'],
    results.map((r) => [
      String(r.connections),
      scenarioLabel(r),
      r.server,
      String(r.repeat),
      String(r.rounds),
      grouped(r.deliveriesPerSec),
      fixed(r.usPerSend, 2),
      fixed(r.ttlP50Ms, 2),
      fixed(r.ttlP99Ms, 2),
      fixed(r.serverCpuUsPerDelivery, 2),
      fixed(r.clientCpuUsPerDelivery, 2),
    ]),
  );

const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || b === 0 ? undefined : a / b;

/** The pairs reported: the gateway against the raw baseline, observability on against off. */
export const RATIO_PAIRS: ReadonlyArray<readonly [ServerKind, ServerKind]> = [
  ['gateway', 'raw'],
  ['observed', 'gateway'],
  ['cluster', 'gateway'],
];

/** numerator/denominator for every (connections, scenario) that ran against both servers of a pair. */
export const computeRatios = (results: readonly ScenarioResult[]): RatioRow[] =>
  RATIO_PAIRS.flatMap(([numerator, denominator]) =>
    results
      .filter((r) => r.server === numerator)
      .flatMap((top) => {
        const base = results.find(
          (r) =>
            r.server === denominator &&
            r.connections === top.connections &&
            r.scenario === top.scenario &&
            r.pushesPerRound === top.pushesPerRound &&
            r.repeat === top.repeat,
        );
        if (!base) return [];
        return [
          {
            pair: `${numerator}/${denominator}`,
            connections: top.connections,
            scenario: scenarioLabel(top),
            repeat: top.repeat,
            deliveriesPerSec: top.deliveriesPerSec / base.deliveriesPerSec,
            usPerSend: top.usPerSend / base.usPerSend,
            ttlP50Ms: top.ttlP50Ms / base.ttlP50Ms,
            ttlP99Ms: top.ttlP99Ms / base.ttlP99Ms,
            serverCpuUsPerDelivery: ratio(top.serverCpuUsPerDelivery, base.serverCpuUsPerDelivery),
          },
        ];
      }),
  );

export const formatRatios = (ratios: readonly RatioRow[]): string =>
  ratios
    .map(
      (r) =>
        `${String(r.connections).padStart(6)} ${r.scenario.padEnd(10)} ${r.pair.padEnd(16)} ${`#${r.repeat}`.padEnd(3)} ` +
        `deliveries/s: ${times(r.deliveriesPerSec)}  us/send: ${times(r.usPerSend)}  ` +
        `ttl p50: ${times(r.ttlP50Ms)}  ttl p99: ${times(r.ttlP99Ms)}  srv cpu/dlv: ${times(r.serverCpuUsPerDelivery)}`,
    )
    .join('\n');

const spreadOf = (values: readonly number[]): RatioSpread | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
};

/** The per-repeat ratios of each pair, connection count and scenario folded into median [min-max]. */
export const summarizeRatios = (ratios: readonly RatioRow[]): RatioSummary[] => {
  const groups = new Map<string, RatioRow[]>();
  for (const row of ratios) {
    const key = `${row.pair}|${row.connections}|${row.scenario}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((rows) => ({
    pair: rows[0]!.pair,
    connections: rows[0]!.connections,
    scenario: rows[0]!.scenario,
    repeats: rows.length,
    deliveriesPerSec: spreadOf(rows.map((r) => r.deliveriesPerSec))!,
    serverCpuUsPerDelivery: spreadOf(rows.flatMap((r) => (r.serverCpuUsPerDelivery === undefined ? [] : [r.serverCpuUsPerDelivery]))),
  }));
};

const spread = (s: RatioSpread | undefined): string => (s === undefined ? '-' : `${times(s.median)} [${times(s.min)}-${times(s.max)}]`);

export const formatRatioSummaries = (summaries: readonly RatioSummary[]): string =>
  summaries
    .map(
      (s) =>
        `${String(s.connections).padStart(6)} ${s.scenario.padEnd(10)} ${s.pair.padEnd(16)} over ${s.repeats} runs: ` +
        `deliveries/s ${spread(s.deliveriesPerSec)}  srv cpu/dlv ${spread(s.serverCpuUsPerDelivery)}`,
    )
    .join('\n');

export const LEGEND = `deliveries/s  deliveries / summed trigger-to-last-delivery time (higher is better)
us/send       first-to-last delivery spread / deliveries, as seen by clients (lower is better)
ttl p50/p99   per round, trigger request sent -> last client got the last message (lower is better)
srv/cli cpu   CPU (user+sys, all threads) per delivery of the server / of all client workers, 10 ms ticks;
              when client CPU rivals the server's, the harness is what limits the figures
Ratios compare servers from the same run: gateway/raw (gateway with metrics and tracing off against a plain
ws loop) and observed/gateway (metrics on, every push traced, against off). For deliveries/s above 1.00x
favours the numerator; for the rest below 1.00x does. With --repeat, each ratio pairs rows of the same
run (#n), and the summary gives the median over the runs with their range.`;
