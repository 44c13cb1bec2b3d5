/**
 * wsgw-load: drives a running gateway through its public contract (the push API and /ws) and
 * reports connection success, exact loss, and end-to-end latency.
 *
 *   wsgw-load serve --basic-auth user:pass [--port 8089]   (POST /run?user-count=N&timeout=5m → JSON report)
 *   wsgw-load chat [--rooms R --participants P --create-participant S --start-chat S --send-message S --steady S]
 *   wsgw-load ping [--connections N --ramp S --steady S --ping-min S --ping-max S --no-hello]
 *   wsgw-load quick|medium|stress|progressive|fanout [--target URL] [--api-key K] [--jwt-secret S | --token-file F]
 *            [--connections N --ramp S --steady S --interval S] [--users U --connections-per-user C --messages M]
 *            [--workers W] [--no-ack] [--drain S] [--cooldown S] [--scale F] [--metrics-port P] [--out report.json] [--html report.html] [--threshold 'p99<50ms,success>99%,loss=0']
 */
import { availableParallelism } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { CLI_FLAGS, isScenario, SCENARIOS, type CliOptions } from './cli-flags.ts';
import { formatProgress } from './live/progress-line.ts';
import { createLoadMetrics, type LoadMetrics } from './metrics/load-metrics.ts';
import { createOptionReader } from './options/option-reader.ts';
import { combineReports } from './report/combine-reports.ts';
import { renderHtmlReport } from './report/html-report.ts';
import type { RunReport } from './report/run-report.ts';
import { formatSummary } from './report/summary.ts';
import { evaluateThresholds, parseThresholds, type Threshold } from './report/thresholds.ts';
import { runPlan, type RunHooks, type RunResult, type RunTarget } from './run-engine.ts';
import type { LoadPlan } from './scenarios/load-plan.ts';
import { SCENARIO_PLANS } from './scenarios/scenario-plans.ts';
import { startServe } from './serve.ts';
import { assertLoopback } from './target-guard.ts';
import { mintedTokens, tokenFile } from './tokens.ts';

type RunOptions = { workers: number; ack: boolean };

/** The gateway to load, with its credentials, and the names of the run's users. */
async function targetFrom(read: CliOptions, prefix: string): Promise<{ target: RunTarget; userName: (index: number) => string }> {
  const baseUrl = (read.text('target') ?? process.env.WSGW_TARGET ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  assertLoopback(baseUrl);
  const apiKey = read.text('api-key') ?? process.env.WSGW_API_KEY;
  if (!apiKey) throw new Error('--api-key (or WSGW_API_KEY) is required to push');
  const path = read.text('token-file');
  const fromFile = path ? await tokenFile(path) : undefined;
  const secret = read.text('jwt-secret') ?? process.env.WSGW_JWT_SECRET;
  if (fromFile) return { target: { baseUrl, apiKey, tokens: fromFile.source }, userName: (i) => fromFile.users[i % fromFile.users.length]! };
  if (!secret) throw new Error('--jwt-secret (or WSGW_JWT_SECRET) or --token-file is required for client tokens');
  return { target: { baseUrl, apiKey, tokens: mintedTokens(secret) }, userName: (i) => `${prefix}-u${i}` };
}

/** `serve`: answers runs over HTTP until SIGTERM or SIGINT. */
async function serve(read: CliOptions, target: RunTarget, workers: number, userPrefix: string): Promise<number> {
  const credentials = read.text('basic-auth') ?? process.env.WSGW_LOAD_AUTH;
  if (!credentials?.includes(':')) throw new Error('serve needs --basic-auth user:password (or WSGW_LOAD_AUTH)');
  const { port } = await startServe({
    port: read.number('port', 8089),
    credentials,
    target,
    workers,
    connectionsPerUser: read.number('connections-per-user', 1, 1),
    messages: read.number('messages', 10, 1),
    userPrefix,
  });
  process.stderr.write(`wsgw-load serve: POST http://127.0.0.1:${port}/run?user-count=N&timeout=5m\n`);
  await new Promise((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  return 0;
}

/** Runs a scenario's plans; several are stages with `--cooldown` between them, in one combined report. */
async function runStages(scenario: string, plans: LoadPlan[], read: CliOptions, run: (plan: LoadPlan) => Promise<RunResult>): Promise<RunReport> {
  if (plans.length === 1) return (await run(plans[0]!)).report;
  const cooldownMs = read.number('cooldown', 10) * 1000;
  const stages: RunResult[] = [];
  for (const plan of plans) {
    if (stages.length > 0) await new Promise((resolve) => setTimeout(resolve, cooldownMs));
    process.stderr.write(`${scenario}: stage ${plan.scenario}\n`);
    stages.push(await run(plan));
  }
  return combineReports(scenario, stages, cooldownMs);
}

/** Prints the summary, writes the reports asked for; exit code 1 when a threshold failed. */
async function finish(report: RunReport, read: CliOptions, thresholds: Threshold[], metrics: LoadMetrics | undefined): Promise<number> {
  await metrics?.close();
  report.thresholds = evaluateThresholds(thresholds, report);
  process.stdout.write(formatSummary(report));
  const out = read.text('out');
  const html = read.text('html');
  if (out) await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  if (html) await writeFile(html, renderHtmlReport(report));
  return report.thresholds.every((t) => t.passed) ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const read = createOptionReader({ argv, flags: CLI_FLAGS, allowPositionals: true });
  const scenario = read.positionals[0];
  if (read.has('help') || !scenario) {
    process.stdout.write(`usage: wsgw-load <${SCENARIOS.join('|')}> [flags] (see the header of src/cli.ts or loadtest/README.md)\n`);
    return read.has('help') ? 0 : 2;
  }
  if (!isScenario(scenario)) throw new Error(`unknown scenario "${scenario}"; one of ${SCENARIOS.join(', ')}`);

  const prefix = read.text('user-prefix') ?? `load-${Date.now().toString(36)}`;
  const { target, userName } = await targetFrom(read, prefix);
  const thresholds = parseThresholds(read.text('threshold') ?? '');
  const options: RunOptions = { workers: read.number('workers', Math.max(1, Math.min(4, availableParallelism())), 1), ack: !read.has('no-ack') };
  const metrics = read.text('metrics-port') === undefined ? undefined : createLoadMetrics();
  if (metrics) process.stderr.write(`metrics: http://127.0.0.1:${await metrics.listen(read.number('metrics-port', 0))}/metrics\n`);
  const hooks: RunHooks = {
    ...(metrics && { metrics }),
    liveIntervalMs: read.number('progress-interval', 5, 0.1) * 1000,
    progress: (s) => process.stderr.write(`${formatProgress(scenario, s)}\n`),
  };
  const scale = read.number('scale', 1, 0.001);
  if (scenario === 'serve') return serve(read, target, options.workers, prefix);

  const drainMs = read.text('drain') === undefined ? undefined : read.number('drain', 5) * 1000;
  const plans = SCENARIO_PLANS[scenario]({ read, userName, prefix, scale }).map((plan) => (drainMs === undefined ? plan : { ...plan, drainMs }));
  const report = await runStages(scenario, plans, read, (plan) => runPlan(plan, target, options, hooks));
  return finish(report, read, thresholds, metrics);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`wsgw-load: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
