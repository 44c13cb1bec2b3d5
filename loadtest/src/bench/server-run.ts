/**
 * One run of one server at one connection count: start it, read its memory, connect the clients,
 * let them settle and read it again, run the latency window and then the broadcast scenarios on the
 * same connections, then stop everything. Each run is one sample of every figure.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchOptions, ServerKind } from './bench-options.ts';
import { startTarget, type TargetOptions } from './bench-targets.ts';
import { createClientPool } from './client-pool.ts';
import { runLatencyScenario, type LatencyResult } from './latency-scenario.ts';
import { createPayloadFactory } from './push-payload.ts';
import type { FigureKey, FigureSample } from './figures.ts';
import { runScenario, type ScenarioContext, type ScenarioPlan, type ScenarioResult } from './scenarios.ts';

/** The server's memory before any client: after this pause for its start-up garbage to settle. */
const BASELINE_SETTLE_MS = 300;

export interface MemoryReading {
  /** Server RSS (with its child processes) before any connection, in KiB. */
  baseKb: number | undefined;
  /** After every connection was ready and the settle pause, in KiB. */
  connectedKb: number | undefined;
  /** (connected − base) / connections, in KiB. */
  perConnectionKb: number | undefined;
}

export interface ServerRun {
  server: ServerKind;
  connections: number;
  repeat: number;
  connectMs: number;
  memory: MemoryReading;
  broadcasts: ScenarioResult[];
  latency: LatencyResult | undefined;
  problems: string[];
}

const plansFor = (options: BenchOptions): ScenarioPlan[] =>
  options.scenarios.flatMap((scenario): ScenarioPlan[] =>
    scenario === 'single'
      ? [{ scenario, rounds: options.rounds, warmup: options.warmup, pushes: 1 }]
      : scenario === 'burst'
        ? [{ scenario, rounds: options.bursts, warmup: options.burstWarmup, pushes: options.burstSize }]
        : [],
  );

/**
 * Lost, duplicated or reordered frames once the broadcasts are done. Order is only checked when
 * the pushes were sent in a defined order: parallel requests may be accepted in any order.
 */
const connectionProblems = async (ctx: ScenarioContext, orderDefined: boolean): Promise<string[]> => {
  const health = await ctx.pool.health();
  const expected = ctx.seqs.next;
  const problems: string[] = [];
  if (health.minPushes < expected) problems.push(`a connection received only ${health.minPushes}/${expected} broadcasts`);
  if (health.maxPushes > expected) problems.push(`a connection received ${health.maxPushes}/${expected} broadcasts (duplicates)`);
  if (orderDefined && health.outOfOrder > 0) problems.push(`${health.outOfOrder} push frame(s) arrived out of order`);
  if (health.unexpectedCloses > 0) problems.push(`${health.unexpectedCloses} connection(s) closed by the server`);
  if (health.unrecognised > 0) problems.push(`${health.unrecognised} frame(s) without a sequence number (not counted)`);
  return problems;
};

const memoryReading = (baseKb: number | undefined, connectedKb: number | undefined, connections: number): MemoryReading => ({
  baseKb,
  connectedKb,
  perConnectionKb: baseKb === undefined || connectedKb === undefined ? undefined : (connectedKb - baseKb) / connections,
});

export const runServer = async (
  kind: ServerKind,
  connections: number,
  repeat: number,
  options: BenchOptions,
  targetOptions: Omit<TargetOptions, 'connections'>,
  log: (line: string) => void,
): Promise<ServerRun> => {
  const tag = `[${kind} @ ${connections} #${repeat}]`;
  log(`${tag} starting server`);
  const target = await startTarget(kind, { ...targetOptions, connections });
  const pool = createClientPool({ connections, workers: options.workers });
  try {
    await sleep(BASELINE_SETTLE_MS);
    const baseKb = target.server.rssKb();
    const { elapsedMs } = await pool.connect({
      endpoints: target.endpoints,
      protocol: target.protocol,
      jwtSecret: target.jwtSecret,
      concurrency: options.connectConcurrency,
      timeoutMs: options.timeoutMs,
    });
    log(`${tag} ${connections} clients connected in ${(elapsedMs / 1000).toFixed(1)} s`);
    await sleep(options.settleMs);
    const memory = memoryReading(baseKb, target.server.rssKb(), connections);
    log(`${tag} idle memory read`);

    const payload = createPayloadFactory(options.payloadBytes);
    // Latency first, while the connections are idle and the server has no broadcast garbage to collect.
    let latency: LatencyResult | undefined;
    if (options.scenarios.includes('latency')) {
      log(`${tag} latency: ${options.latencyRate} one-user pushes/s for ${options.latencyMs / 1000} s`);
      latency = await runLatencyScenario(target, pool, connections, repeat, { rate: options.latencyRate, durationMs: options.latencyMs, payload, timeoutMs: options.timeoutMs });
      for (const warning of latency.warnings) log(`${tag} warning: ${warning}`);
    }
    const ctx: ScenarioContext = { target, pool, connections, repeat, payload, timeoutMs: options.timeoutMs, seqs: { next: 0 } };
    const broadcasts: ScenarioResult[] = [];
    for (const plan of plansFor(options)) {
      log(`${tag} ${plan.scenario}: ${plan.warmup} warm-up + ${plan.rounds} rounds of ${plan.pushes}`);
      const result = await runScenario(ctx, plan);
      broadcasts.push(result);
      for (const warning of result.warnings) log(`${tag} warning: ${warning}`);
    }
    const orderDefined = kind !== 'nchan' && !(kind.startsWith('wsgw') && options.burstMode === 'concurrent');
    const problems = broadcasts.length > 0 ? await connectionProblems(ctx, orderDefined || !options.scenarios.includes('burst')) : [];

    const all = [...problems, ...broadcasts.flatMap((r) => r.warnings), ...(latency?.warnings ?? [])];
    return { server: kind, connections, repeat, connectMs: elapsedMs, memory, broadcasts, latency, problems: all.map((p) => `${kind} @ ${connections} #${repeat}: ${p}`) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const state = target.server.exited() ? 'server process died' : 'server still running';
    const output = target.server.outputTail().trim();
    throw new Error(`${kind} @ ${connections} connections: ${message}\n(${state})${output ? `\n--- ${kind} output ---\n${output}` : ''}`);
  } finally {
    await pool.close();
    await target.stop();
    log(`${tag} stopped`);
  }
};

/** What one run contributes to each figure (figures.ts). */
export const figureSamplesOf = (run: ServerRun): FigureSample[] => {
  const base = { connections: run.connections, server: run.server, repeat: run.repeat };
  const samples: FigureSample[] = [];
  const add = (figure: FigureKey, value: number | undefined): void => {
    if (value !== undefined && Number.isFinite(value)) samples.push({ ...base, figure, value });
  };
  for (const result of run.broadcasts) {
    add(result.scenario === 'single' ? 'broadcast' : 'burst', result.deliveriesPerSec);
    // µs per delivery is CPU seconds per million deliveries.
    add(result.scenario === 'single' ? 'cpu-broadcast' : 'cpu-burst', result.serverCpuUsPerDelivery);
    add(result.scenario === 'single' ? 'client-cpu-broadcast' : 'client-cpu-burst', result.clientCpuUsPerDelivery);
  }
  if (run.latency) {
    add('latency-p50', run.latency.p50Ms);
    add('latency-p99', run.latency.p99Ms);
    add('latency-max', run.latency.maxMs);
  }
  add('rss-per-connection', run.memory.perConnectionKb);
  add('rss-base', run.memory.baseKb === undefined ? undefined : run.memory.baseKb / 1024);
  return samples;
};
