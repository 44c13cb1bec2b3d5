/**
 * Fan-out benchmark: broadcasts to N WebSocket clients through the wsgw
 * gateway and through a plain `ws` server (raw-server.ts), one after the
 * other in the same run with the same client harness, and prints a table
 * plus gateway/raw ratios. Run `npm run bench:fanout -- --help` for options.
 *
 * Only one server is alive at a time: two servers with 10k sockets each plus
 * the clients would not fit the file-descriptor limit of a small box.
 * Progress goes to stderr; the table, ratios and JSON go to stdout.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { parseBenchOptions, USAGE, type BenchOptions, type ServerKind } from './bench-options.ts';
import { gatewayEntryPath, startTarget } from './bench-targets.ts';
import { createClientPool } from './client-pool.ts';
import { createPayloadFactory } from './push-payload.ts';
import { computeRatios, formatRatios, formatRatioSummaries, formatResultsTable, LEGEND, summarizeRatios } from './report.ts';
import { runScenario, type ScenarioContext, type ScenarioPlan, type ScenarioResult } from './scenarios.ts';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const plansFor = (options: BenchOptions): ScenarioPlan[] =>
  options.scenarios.map((scenario) =>
    scenario === 'single'
      ? { scenario, rounds: options.rounds, warmup: options.warmup, pushes: 1 }
      : { scenario, rounds: options.bursts, warmup: Math.min(options.warmup, 1), pushes: options.burstSize },
  );

/**
 * Describes lost, duplicated or reordered frames once a target's scenarios are done.
 * Order is only checked when the pushes were sent in a defined order: parallel
 * `POST /api/push` requests may be accepted in any order.
 */
const connectionProblems = async (ctx: ScenarioContext, orderDefined: boolean): Promise<string[]> => {
  const health = await ctx.pool.health();
  const expected = ctx.seqs.next;
  const where = `${ctx.target.kind} @ ${ctx.connections}`;
  const problems: string[] = [];
  if (health.minPushes < expected) problems.push(`${where}: a connection received only ${health.minPushes}/${expected} pushes`);
  if (health.maxPushes > expected) problems.push(`${where}: a connection received ${health.maxPushes}/${expected} pushes (duplicates)`);
  if (orderDefined && health.outOfOrder > 0) problems.push(`${where}: ${health.outOfOrder} push frame(s) arrived out of order`);
  if (health.unexpectedCloses > 0) problems.push(`${where}: ${health.unexpectedCloses} connection(s) closed by the server`);
  if (health.unrecognised > 0) problems.push(`${where}: ${health.unrecognised} frame(s) without a sequence number (not counted)`);
  return problems;
};

const runTarget = async (
  kind: ServerKind,
  connections: number,
  repeat: number,
  options: BenchOptions,
): Promise<{ results: ScenarioResult[]; problems: string[] }> => {
  log(`[${kind} @ ${connections}] starting server`);
  const target = await startTarget(kind, {
    gatewayEntry: options.gatewayEntry,
    burstMode: options.burstMode,
    readyTimeoutMs: options.timeoutMs,
  });
  const pool = createClientPool({ connections, workers: options.workers });
  try {
    const { elapsedMs } = await pool.connect({
      urls: target.wsUrls,
      jwtSecret: target.jwtSecret,
      concurrency: options.connectConcurrency,
      timeoutMs: options.timeoutMs,
    });
    log(`[${kind} @ ${connections}] ${connections} clients connected in ${(elapsedMs / 1000).toFixed(1)} s`);

    const ctx: ScenarioContext = {
      target,
      pool,
      connections,
      repeat,
      payload: createPayloadFactory(options.payloadBytes),
      timeoutMs: options.timeoutMs,
      seqs: { next: 0 },
    };
    const results: ScenarioResult[] = [];
    for (const plan of plansFor(options)) {
      log(`[${kind} @ ${connections}] ${plan.scenario}: ${plan.warmup} warm-up + ${plan.rounds} rounds of ${plan.pushes}`);
      const result = await runScenario(ctx, plan);
      results.push(result);
      for (const warning of result.warnings) log(`[${kind} @ ${connections}] warning: ${warning}`);
    }
    const orderDefined = !(kind !== 'raw' && options.burstMode === 'concurrent' && options.scenarios.includes('burst'));
    const problems = await connectionProblems(ctx, orderDefined);
    return { results, problems: [...problems, ...results.flatMap((r) => r.warnings)] };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const state = target.server.exited() ? 'server process died' : 'server still running';
    const output = target.server.outputTail().trim();
    throw new Error(`${kind} @ ${connections} connections: ${message}\n(${state})${output ? `\n--- ${kind} output ---\n${output}` : ''}`);
  } finally {
    await pool.close();
    await target.stop();
  }
};

const printReport = (options: BenchOptions, results: ScenarioResult[], problems: string[], failure?: string): void => {
  const ratios = computeRatios(results);
  const summaries = summarizeRatios(ratios);
  const lines = ['', formatResultsTable(results), ''];
  if (ratios.length > 0) lines.push(formatRatios(ratios), '');
  if (options.repeat > 1 && summaries.length > 0) lines.push(formatRatioSummaries(summaries), '');
  lines.push(LEGEND, '');
  if (problems.length > 0) lines.push('Problems observed:', ...problems.map((p) => `  - ${p}`), '');
  process.stdout.write(`${lines.join('\n')}\n`);

  const document = {
    bench: 'fanout',
    at: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model,
    options: { ...options, jsonPath: undefined, help: undefined },
    results,
    ratios,
    ratioSummaries: summaries,
    problems,
    failure,
  };
  const json = JSON.stringify(document, null, 2);
  if (options.jsonPath) {
    writeFileSync(options.jsonPath, `${json}\n`);
    log(`results written to ${options.jsonPath}`);
  } else {
    process.stdout.write(`${json}\n`);
  }
};

const main = async (): Promise<number> => {
  const options = parseBenchOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.servers.some((kind) => kind !== 'raw')) gatewayEntryPath(options.gatewayEntry);

  const overall = setTimeout(() => {
    log(`fanout bench: exceeded --max-minutes (${options.maxDurationMs / 60_000} min); aborting`);
    // Exit handlers in server-process.ts kill the servers; client workers exit on disconnect.
    process.exit(2);
  }, options.maxDurationMs);

  const results: ScenarioResult[] = [];
  const problems: string[] = [];
  try {
    for (const connections of options.connections) {
      for (let repeat = 1; repeat <= options.repeat; repeat += 1) {
        // Every other repeat runs the servers in reverse, so a drift in the machine's load over
        // the run does not always favour the same server.
        const order = repeat % 2 === 1 ? options.servers : [...options.servers].reverse();
        for (const kind of order) {
          const outcome = await runTarget(kind, connections, repeat, options);
          results.push(...outcome.results);
          problems.push(...outcome.problems);
        }
      }
    }
    printReport(options, results, problems);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (results.length > 0) printReport(options, results, problems, message);
    log(`\nfanout bench failed: ${message}`);
    return 1;
  } finally {
    clearTimeout(overall);
  }
};

process.on('SIGINT', () => process.exit(130));
process.exitCode = await main().catch((error: unknown) => {
  log(`fanout bench: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
