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
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { formatProgress } from './live/progress-line.ts';
import { createLoadMetrics } from './metrics/load-metrics.ts';
import { combineReports } from './report/combine-reports.ts';
import { renderHtmlReport } from './report/html-report.ts';
import type { RunReport } from './report/run-report.ts';
import { formatSummary } from './report/summary.ts';
import { evaluateThresholds, parseThresholds } from './report/thresholds.ts';
import { runPlan, type RunResult, type RunTarget } from './run-engine.ts';
import { chatPlan, fanoutPlan, pingPlan, PRESETS, steadyPlan, type PresetName } from './scenarios/load-plan.ts';
import { startServe } from './serve.ts';
import { assertLoopback } from './target-guard.ts';
import { mintedTokens, tokenFile } from './tokens.ts';

const FLAGS = {
  target: { type: 'string' },
  'api-key': { type: 'string' },
  'jwt-secret': { type: 'string' },
  'token-file': { type: 'string' },
  connections: { type: 'string' },
  ramp: { type: 'string' },
  steady: { type: 'string' },
  interval: { type: 'string' },
  users: { type: 'string' },
  'connections-per-user': { type: 'string' },
  messages: { type: 'string' },
  cooldown: { type: 'string' },
  drain: { type: 'string' },
  scale: { type: 'string' },
  workers: { type: 'string' },
  'no-ack': { type: 'boolean' },
  out: { type: 'string' },
  html: { type: 'string' },
  threshold: { type: 'string' },
  'user-prefix': { type: 'string' },
  'progress-interval': { type: 'string' },
  'metrics-port': { type: 'string' },
  port: { type: 'string' },
  rooms: { type: 'string' },
  participants: { type: 'string' },
  'create-participant': { type: 'string' },
  'start-chat': { type: 'string' },
  'send-message': { type: 'string' },
  'ping-min': { type: 'string' },
  'ping-max': { type: 'string' },
  'no-hello': { type: 'boolean' },
  'basic-auth': { type: 'string' },
  help: { type: 'boolean' },
} as const;

const SCENARIOS = ['quick', 'medium', 'stress', 'progressive', 'fanout', 'chat', 'ping', 'serve'] as const;
type Scenario = (typeof SCENARIOS)[number];

function number(values: Record<string, unknown>, flag: string, fallback: number, min = 0): number {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`--${flag} must be a number ≥ ${min}, got "${String(raw)}"`);
  return value;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  const scenario = positionals[0] as Scenario | undefined;
  if (values.help || !scenario) {
    process.stdout.write(`usage: wsgw-load <${SCENARIOS.join('|')}> [flags] (see the header of src/cli.ts or loadtest/README.md)\n`);
    return values.help ? 0 : 2;
  }
  if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario "${scenario}"; one of ${SCENARIOS.join(', ')}`);

  const baseUrl = (values.target ?? process.env.WSGW_TARGET ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  assertLoopback(baseUrl);
  const apiKey = values['api-key'] ?? process.env.WSGW_API_KEY;
  if (!apiKey) throw new Error('--api-key (or WSGW_API_KEY) is required to push');
  const prefix = values['user-prefix'] ?? `load-${Date.now().toString(36)}`;
  const fromFile = values['token-file'] ? await tokenFile(values['token-file']) : undefined;
  const secret = values['jwt-secret'] ?? process.env.WSGW_JWT_SECRET;
  if (!fromFile && !secret) throw new Error('--jwt-secret (or WSGW_JWT_SECRET) or --token-file is required for client tokens');
  const userName = fromFile ? (i: number) => fromFile.users[i % fromFile.users.length]! : (i: number) => `${prefix}-u${i}`;
  const target: RunTarget = { baseUrl, apiKey, tokens: fromFile ? fromFile.source : mintedTokens(secret!) };
  const thresholds = parseThresholds(values.threshold ?? '');
  const options = { workers: number(values, 'workers', Math.max(1, Math.min(4, availableParallelism())), 1), ack: !values['no-ack'] };
  const metrics = values['metrics-port'] === undefined ? undefined : createLoadMetrics();
  if (metrics) process.stderr.write(`metrics: http://127.0.0.1:${await metrics.listen(number(values, 'metrics-port', 0))}/metrics\n`);
  const hooks = {
    metrics,
    liveIntervalMs: number(values, 'progress-interval', 5, 0.1) * 1000,
    progress: (s: Parameters<typeof formatProgress>[1]) => process.stderr.write(`${formatProgress(scenario, s)}\n`),
  };

  // --scale shrinks or grows a preset (connections and every duration) for rehearsals and tests.
  const scale = number(values, 'scale', 1, 0.001);
  const steady = (name: PresetName, overrides = true) => {
    const preset = PRESETS[name];
    return steadyPlan({
      scenario: name,
      connections: overrides ? number(values, 'connections', Math.max(1, Math.round(preset.connections * scale)), 1) : Math.max(1, Math.round(preset.connections * scale)),
      rampS: overrides ? number(values, 'ramp', preset.rampS * scale) : preset.rampS * scale,
      steadyS: overrides ? number(values, 'steady', preset.steadyS * scale) : preset.steadyS * scale,
      intervalS: overrides ? number(values, 'interval', preset.intervalS * scale, 0.05) : Math.max(0.05, preset.intervalS * scale),
      users: userName,
    });
  };

  if (scenario === 'serve') {
    const credentials = values['basic-auth'] ?? process.env.WSGW_LOAD_AUTH;
    if (!credentials?.includes(':')) throw new Error('serve needs --basic-auth user:password (or WSGW_LOAD_AUTH)');
    const { port } = await startServe({
      port: number(values, 'port', 8089),
      credentials,
      target,
      workers: options.workers,
      connectionsPerUser: number(values, 'connections-per-user', 1, 1),
      messages: number(values, 'messages', 10, 1),
      userPrefix: prefix,
    });
    process.stderr.write(`wsgw-load serve: POST http://127.0.0.1:${port}/run?user-count=N&timeout=5m\n`);
    await new Promise((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    return 0;
  }

  const drainMs = values.drain === undefined ? undefined : number(values, 'drain', 5) * 1000;
  const withDrain = <T extends { drainMs: number }>(plan: T): T => (drainMs === undefined ? plan : { ...plan, drainMs });

  let report: RunReport;
  if (scenario === 'progressive') {
    const cooldownMs = number(values, 'cooldown', 10) * 1000;
    const stages: RunResult[] = [];
    for (const name of ['quick', 'medium', 'stress'] as const) {
      if (stages.length > 0) await new Promise((resolve) => setTimeout(resolve, cooldownMs));
      process.stderr.write(`progressive: stage ${name}\n`);
      stages.push(await runPlan(withDrain(steady(name, false)), target, options, hooks));
    }
    report = combineReports('progressive', stages, cooldownMs);
  } else if (scenario === 'chat') {
    const plan = chatPlan({
      rooms: number(values, 'rooms', 20, 1),
      participants: number(values, 'participants', 10, 1),
      createParticipantS: number(values, 'create-participant', 0.05),
      startChatS: number(values, 'start-chat', 1),
      sendMessageS: number(values, 'send-message', 2, 0.01),
      steadyS: number(values, 'steady', 20),
      prefix,
    });
    report = (await runPlan(withDrain(plan), target, options, hooks)).report;
  } else if (scenario === 'ping') {
    const plan = pingPlan({
      connections: number(values, 'connections', 100, 1),
      rampS: number(values, 'ramp', 10),
      steadyS: number(values, 'steady', 30),
      minS: number(values, 'ping-min', 1, 0.05),
      maxS: number(values, 'ping-max', 3, 0.05),
      hello: !values['no-hello'],
      users: userName,
    });
    report = (await runPlan(withDrain(plan), target, options, hooks)).report;
  } else if (scenario === 'fanout') {
    const plan = fanoutPlan({
      users: number(values, 'users', 256, 1),
      connectionsPerUser: number(values, 'connections-per-user', 4, 1),
      messages: number(values, 'messages', 48, 1),
      rampS: number(values, 'ramp', 5),
      userName,
    });
    report = (await runPlan(withDrain(plan), target, options, hooks)).report;
  } else {
    report = (await runPlan(withDrain(steady(scenario)), target, options, hooks)).report;
  }

  await metrics?.close();
  report.thresholds = evaluateThresholds(thresholds, report);
  process.stdout.write(formatSummary(report));
  if (values.out) await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  if (values.html) await writeFile(values.html, renderHtmlReport(report));
  return report.thresholds.every((t) => t.passed) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`wsgw-load: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
