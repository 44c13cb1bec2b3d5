/**
 * `npm run bench:pair`: two servers side by side, for a difference too small for `npm run bench`
 * to resolve (its servers run one after the other, and the machine's drift between runs is larger
 * than a few percent). Both run at once, each with its own clients:
 *   - one-user latency: in each window both take pushes at the same rate, their schedules half an
 *     interval apart (so they seldom want the server core at the same moment), who starts first
 *     alternating; percentiles pool every window;
 *   - broadcasts: blocks of rounds, a then b in each, while the other server idles;
 *   - each gateway's own GC pauses in both phases, from its metrics (gc-pauses.ts).
 * Each ratio a/b comes with a 95% interval from a bootstrap over windows or block pairs
 * (pair-stats.ts). `--help` lists the options. Progress goes to stderr, the table to stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { formatGcPauses, gcPausesBetween, readGcPauses, type GcPauses } from './gc-pauses.ts';
import { startTarget, type BenchTarget } from './bench-targets.ts';
import { createClientPool, type ClientPool } from './client-pool.ts';
import { pinCores } from './cpu-pinning.ts';
import { planConnectionCounts } from './fd-limit.ts';
import { runLatencyScenario, type LatencyResult } from './latency-scenario.ts';
import { percentile } from './latency-stats.ts';
import { readMachineInfo } from './machine-info.ts';
import { medianPairRatio, pooledPercentileRatio, positivePairs, windowedPercentileRatio, type RatioEstimate } from './pair-stats.ts';
import { PAIR_USAGE, parsePairOptions, type PairOptions } from './pair-options.ts';
import { createProgressLog } from './progress-log.ts';
import { createPayloadFactory } from './push-payload.ts';
import { runScenario, type ScenarioContext, type ScenarioResult } from './scenarios.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const log = createProgressLog();

interface Side {
  target: BenchTarget;
  pool: ClientPool;
  ctx: ScenarioContext;
}

interface LatencyWindow {
  a: LatencyResult;
  b: LatencyResult;
  /** Server CPU (its process tree, all threads) per accepted one-user push in the window, µs. */
  cpuUsPerPush: { a: number | undefined; b: number | undefined };
}

const startSide = async (kind: PairOptions['a'], options: PairOptions, commandPrefix: string[]): Promise<Side> => {
  const target = await startTarget(kind, { burstMode: 'batch', readyTimeoutMs: options.timeoutMs, connections: options.connections, commandPrefix });
  const pool = createClientPool({ connections: options.connections, workers: options.workers });
  const payload = createPayloadFactory(options.payloadBytes);
  const ctx: ScenarioContext = { target, pool, connections: options.connections, repeat: 1, payload, timeoutMs: options.timeoutMs, seqs: { next: 0 } };
  return { target, pool, ctx };
};

const connectSide = async (side: Side, options: PairOptions): Promise<void> => {
  const { elapsedMs } = await side.pool.connect({ endpoints: side.target.endpoints, protocol: side.target.protocol, jwtSecret: side.target.jwtSecret, concurrency: 200, timeoutMs: options.timeoutMs });
  log(`[${side.target.kind}] ${options.connections} clients connected in ${(elapsedMs / 1000).toFixed(1)} s`);
};

const latencyWindows = async (a: Side, b: Side, options: PairOptions): Promise<LatencyWindow[]> => {
  const plan = { rate: options.latencyRate, durationMs: options.windowMs, payload: a.ctx.payload, timeoutMs: options.timeoutMs, keepSamples: true };
  const offsetMs = 1000 / options.latencyRate / 2;
  const windows: LatencyWindow[] = [];
  for (let w = 0; w < options.windows; w += 1) {
    const [first, second] = w % 2 === 0 ? [a, b] : [b, a];
    const cpuBefore = [a.target.server.cpuMs(), b.target.server.cpuMs()];
    const run = (side: Side) => runLatencyScenario(side.target, side.pool, options.connections, w + 1, plan);
    const [firstResult, secondResult] = await Promise.all([run(first), sleep(offsetMs).then(() => run(second))]);
    const results = first === a ? { a: firstResult, b: secondResult } : { a: secondResult, b: firstResult };
    const cpuAfter = [a.target.server.cpuMs(), b.target.server.cpuMs()];
    // The window's warm-up pushes count too: they are a fixed share of each side's pushes.
    const perPush = (before: number | undefined, after: number | undefined, result: LatencyResult) =>
      before === undefined || after === undefined || result.accepted === 0 ? undefined : ((after - before) * 1000) / result.accepted;
    const window = { ...results, cpuUsPerPush: { a: perPush(cpuBefore[0], cpuAfter[0], results.a), b: perPush(cpuBefore[1], cpuAfter[1], results.b) } };
    windows.push(window);
    for (const warning of [...window.a.warnings, ...window.b.warnings]) log(`latency window ${w + 1}: ${warning}`);
    log(`latency window ${w + 1}/${options.windows}: p50 ${window.a.p50Ms.toFixed(3)} / ${window.b.p50Ms.toFixed(3)} ms, p99 ${window.a.p99Ms.toFixed(3)} / ${window.b.p99Ms.toFixed(3)} ms`);
  }
  return windows;
};

const broadcastBlocks = async (a: Side, b: Side, options: PairOptions): Promise<Array<{ a: ScenarioResult; b: ScenarioResult }>> => {
  const plan = { scenario: 'single' as const, rounds: options.rounds, warmup: options.warmup, pushes: 1 };
  const blocks: Array<{ a: ScenarioResult; b: ScenarioResult }> = [];
  for (let block = 0; block < options.blocks; block += 1) {
    // Always a then b, never a b, b a: a side that runs twice in a row starts warm, and on this
    // machine that alone made the first side of a block 7–13% faster (its server's CPU per
    // delivery lower by a quarter), so each block's ratio leaned towards whoever went first and
    // the median fell between two clusters. In strict alternation every run follows the other
    // server's.
    const pair = { a: await runScenario(a.ctx, plan), b: await runScenario(b.ctx, plan) };
    blocks.push(pair);
    for (const warning of [...pair.a.warnings, ...pair.b.warnings]) log(`broadcast block ${block + 1}: ${warning}`);
    log(`broadcast block ${block + 1}/${options.blocks}: ${Math.round(pair.a.deliveriesPerSec)} / ${Math.round(pair.b.deliveriesPerSec)} deliveries/s`);
  }
  return blocks;
};

type SidesGc = Array<GcPauses | undefined>;

/** Each side's GC totals so far (undefined for a side without metrics). */
const readSidesGc = (sides: readonly Side[], options: PairOptions): Promise<SidesGc> =>
  Promise.all(sides.map((side) => readGcPauses(side.target.server.baseUrl, options.timeoutMs)));

/** What each side's collector paused for between two readings, where both were read. */
const gcBetween = (before: SidesGc, after: SidesGc) => {
  const of = (i: number) => {
    const [from, to] = [before[i], after[i]];
    return from && to ? gcPausesBetween(from, to) : undefined;
  };
  return { a: of(0), b: of(1) };
};

const lostOf = (latency: readonly LatencyWindow[], broadcasts: ReadonlyArray<{ a: ScenarioResult; b: ScenarioResult }>) => ({
  latency: latency.reduce((sum, w) => sum + w.a.lost + w.b.lost, 0),
  latencyDuplicates: latency.reduce((sum, w) => sum + w.a.duplicates + w.b.duplicates, 0),
  broadcast: broadcasts.reduce((sum, p) => sum + p.a.lost + p.b.lost, 0),
});

const format = (estimate: RatioEstimate): string => `${estimate.ratio.toFixed(3)} [${estimate.low.toFixed(3)}–${estimate.high.toFixed(3)}] (${estimate.windows})`;

const main = async (): Promise<number> => {
  const options = parsePairOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(`${PAIR_USAGE}\n`);
    return 0;
  }
  const overall = setTimeout(() => {
    log(`bench:pair: exceeded --max-minutes (${options.maxDurationMs / 60_000} min); aborting`);
    process.exit(2);
  }, options.maxDurationMs);
  const pinning = pinCores();
  // Both servers' sockets and both pools' count against one machine.
  const plan = planConnectionCounts([options.connections * 2]);
  if (plan.connections.length === 0) throw new Error(`${options.connections} connections per server do not fit the file-descriptor limit: ${plan.notes.join('; ')}`);
  const notes = [pinning.note, ...plan.notes];
  for (const note of notes) log(`bench:pair: ${note}`);

  const sides: Side[] = [];
  try {
    const a = await startSide(options.a, options, pinning.serverPrefix);
    sides.push(a);
    const b = await startSide(options.b, options, pinning.serverPrefix);
    sides.push(b);
    await connectSide(a, options);
    await connectSide(b, options);
    const gcBeforeLatency = await readSidesGc(sides, options);
    const latency = await latencyWindows(a, b, options);
    const gcAfterLatency = await readSidesGc(sides, options);
    const broadcasts = await broadcastBlocks(a, b, options);
    const gc = { latency: gcBetween(gcBeforeLatency, gcAfterLatency), broadcast: gcBetween(gcAfterLatency, await readSidesGc(sides, options)) };

    const paired = latency.map((w) => ({ a: w.a.samplesMs ?? [], b: w.b.samplesMs ?? [] }));
    const figures = {
      latencyP50: pooledPercentileRatio(paired, 50),
      latencyP99: pooledPercentileRatio(paired, 99),
      latencyP99PerWindow: windowedPercentileRatio(paired, 99),
      serverCpuPerPush: medianPairRatio(positivePairs(latency.map((w) => w.cpuUsPerPush), (cpu) => cpu)),
      broadcastDeliveriesPerSec: medianPairRatio(broadcasts.map((p) => ({ a: p.a.deliveriesPerSec, b: p.b.deliveriesPerSec }))),
      broadcastServerCpuPerDelivery: medianPairRatio(positivePairs(broadcasts, (side) => side.serverCpuUsPerDelivery)),
    };
    const pooled = (pick: 'a' | 'b', p: number) => percentile(paired.flatMap((w) => w[pick]), p);
    const absoluteOf = (pick: 'a' | 'b') => ({ server: options[pick], latencyP50Ms: pooled(pick, 50), latencyP99Ms: pooled(pick, 99), deliveriesPerSec: percentile(broadcasts.map((p) => p[pick].deliveriesPerSec), 50), cpuUsPerPush: percentile(latency.flatMap((w) => w.cpuUsPerPush[pick] ?? []), 50) });
    const absolute = { a: absoluteOf('a'), b: absoluteOf('b') };
    const lost = lostOf(latency, broadcasts);
    const lines = [
      '',
      `${options.a} / ${options.b}, ${options.connections} connections each: ratio [95% interval] (windows or block pairs)`,
      `  one-user latency p50          ${format(figures.latencyP50)}   ${absolute.a.latencyP50Ms.toFixed(3)} / ${absolute.b.latencyP50Ms.toFixed(3)} ms`,
      `  one-user latency p99          ${format(figures.latencyP99)}   ${absolute.a.latencyP99Ms.toFixed(3)} / ${absolute.b.latencyP99Ms.toFixed(3)} ms`,
      `    window by window (geomean)  ${format(figures.latencyP99PerWindow)}`,
      `  server CPU per one-user push  ${format(figures.serverCpuPerPush)}   ${absolute.a.cpuUsPerPush.toFixed(1)} / ${absolute.b.cpuUsPerPush.toFixed(1)} µs (lower is better)`,
      `  broadcast deliveries/s        ${format(figures.broadcastDeliveriesPerSec)}   (higher is better)`,
      `  broadcast server CPU/delivery ${format(figures.broadcastServerCpuPerDelivery)}   (lower is better)`,
      `  GC pauses, latency windows    ${formatGcPauses(gc.latency.a)} / ${formatGcPauses(gc.latency.b)}`,
      `  GC pauses, broadcast blocks   ${formatGcPauses(gc.broadcast.a)} / ${formatGcPauses(gc.broadcast.b)}`,
      `  lost: ${lost.latency} one-user, ${lost.broadcast} broadcast deliveries; ${lost.latencyDuplicates} duplicates`,
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);

    const jsonPath = options.jsonPath ?? join(REPO_ROOT, `loadtest/bench/results/pair-${options.a}-${options.b}.json`);
    const windowOf = (result: LatencyResult, cpuUsPerPush: number | undefined) => ({ p50Ms: result.p50Ms, p99Ms: result.p99Ms, accepted: result.accepted, lost: result.lost, cpuUsPerPush });
    const windows = latency.map((w) => ({ a: windowOf(w.a, w.cpuUsPerPush.a), b: windowOf(w.b, w.cpuUsPerPush.b) }));
    const blocks = broadcasts.map((p) => ({ a: { deliveriesPerSec: p.a.deliveriesPerSec, serverCpuUsPerDelivery: p.a.serverCpuUsPerDelivery }, b: { deliveriesPerSec: p.b.deliveriesPerSec, serverCpuUsPerDelivery: p.b.serverCpuUsPerDelivery } }));
    const document = { bench: 'pair', at: new Date().toISOString(), machine: readMachineInfo(undefined), options: { ...options, jsonPath: relative(REPO_ROOT, jsonPath), help: undefined }, notes, figures, absolute, gc, lost, windows, blocks };
    mkdirSync(dirname(jsonPath), { recursive: true });
    writeFileSync(jsonPath, `${JSON.stringify(document, null, 2)}\n`);
    log(`results written to ${jsonPath}`);
    return lost.latency + lost.broadcast > 0 ? 1 : 0;
  } finally {
    clearTimeout(overall);
    for (const side of sides) {
      await side.pool.close();
      await side.target.stop();
    }
  }
};

process.on('SIGINT', () => process.exit(130));
process.exitCode = await main().catch((error: unknown) => {
  log(`bench:pair: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
