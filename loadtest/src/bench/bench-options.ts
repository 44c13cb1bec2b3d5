/**
 * Command-line and environment options of the fan-out bench. Every flag can
 * also come from `BENCH_<FLAG>` (e.g. `BENCH_CONNECTIONS=1000`); the flag wins.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { BurstMode } from './push-trigger.ts';

/**
 * `gateway`: metrics and tracing off; `observed`: metrics on, tracing on with every push sampled;
 * `cluster`: three gateways (as `gateway`) on one NATS, clients spread over them, pushes to node 1.
 */
export type ServerKind = 'gateway' | 'observed' | 'cluster' | 'raw';
export type ScenarioKind = 'single' | 'burst';

export interface BenchOptions {
  connections: number[];
  rounds: number;
  warmup: number;
  bursts: number;
  burstSize: number;
  burstMode: BurstMode;
  servers: ServerKind[];
  /** Times each connection count runs its servers, alternating their order (A B, B A, ...). */
  repeat: number;
  scenarios: ScenarioKind[];
  workers: number;
  connectConcurrency: number;
  payloadBytes: number;
  /** Limit for any single wait (server ready, a ramp step, one round), in ms. */
  timeoutMs: number;
  /** Limit for the whole run, in ms. */
  maxDurationMs: number;
  jsonPath: string | undefined;
  /** Gateway entry file, relative to the gateway workspace. */
  gatewayEntry: string;
  help: boolean;
}

export const USAGE = `Usage: npm run bench:fanout -- [options]

Broadcasts to N WebSocket clients through the wsgw gateway and through a
plain \`ws\` server measured in the same run, and reports gateway/raw ratios.

  --connections 1000,10000   connection counts to run (max 15000: fd limit)
  --rounds 20                measured single-broadcast rounds
  --warmup 2                 unmeasured rounds/bursts before each scenario
  --bursts 10                measured bursts
  --burst-size 50            pushes per burst (max 1000, the batch limit)
  --burst-mode batch         gateway bursts: batch | concurrent
  --only all                 servers: gateway | observed | cluster | raw, comma-separated,
                             or both (gateway, raw) | all
  --repeat 1                 run the servers this many times per connection count, order
                             reversed every other time; ratios report median [min-max]
  --scenarios single,burst   scenarios to run
  --workers N                client processes (default: min(2, cores))
  --connect-concurrency 200  handshakes in flight during the ramp
  --payload-bytes 100        size of each push's data
  --timeout-s 30             limit for any single wait
  --max-minutes 20           limit for the whole run
  --json FILE                write results there instead of to stdout
  --gateway-entry src/main.ts
  --help

Each flag may also be given as BENCH_<FLAG>, e.g. BENCH_ONLY=raw. From the
repository root the script runs through a nested \`npm run\`, so flags need a
second separator (\`npm run bench:fanout -- -- --only raw\`) or the
environment form; inside loadtest/ one \`--\` is enough.`;

const FLAGS = {
  connections: { type: 'string' },
  rounds: { type: 'string' },
  warmup: { type: 'string' },
  bursts: { type: 'string' },
  'burst-size': { type: 'string' },
  'burst-mode': { type: 'string' },
  only: { type: 'string' },
  repeat: { type: 'string' },
  scenarios: { type: 'string' },
  workers: { type: 'string' },
  'connect-concurrency': { type: 'string' },
  'payload-bytes': { type: 'string' },
  'timeout-s': { type: 'string' },
  'max-minutes': { type: 'string' },
  json: { type: 'string' },
  'gateway-entry': { type: 'string' },
  help: { type: 'boolean' },
} as const;

type Flag = Exclude<keyof typeof FLAGS, 'help'>;

const envName = (flag: string): string => `BENCH_${flag.toUpperCase().replace(/-/g, '_')}`;

const integer = (flag: string, raw: string, min: number, max: number): number => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${flag} must be an integer in ${min}..${max}, got "${raw}"`);
  }
  return value;
};

const oneOf = <T extends string>(flag: string, raw: string, allowed: readonly T[]): T => {
  const match = allowed.find((a) => a === raw);
  if (!match) throw new Error(`--${flag} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return match;
};

const list = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

export const parseBenchOptions = (argv: string[], env: NodeJS.ProcessEnv): BenchOptions => {
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false });
  const get = (flag: Flag, fallback: string): string => values[flag] ?? env[envName(flag)] ?? fallback;

  const only = get('only', 'all');
  const servers: ServerKind[] =
    only === 'all'
      ? ['gateway', 'observed', 'cluster', 'raw']
      : only === 'both'
        ? ['gateway', 'raw']
        : [...new Set(list(only).map((kind) => oneOf('only', kind, ['gateway', 'observed', 'cluster', 'raw'] as const)))];
  if (servers.length === 0) throw new Error('--only names no server');
  const scenarios = list(get('scenarios', 'single,burst')).map((s) => oneOf('scenarios', s, ['single', 'burst'] as const));
  return {
    connections: list(get('connections', '1000,10000')).map((c) => integer('connections', c, 1, 15_000)),
    rounds: integer('rounds', get('rounds', '20'), 1, 10_000),
    warmup: integer('warmup', get('warmup', '2'), 0, 100),
    bursts: integer('bursts', get('bursts', '10'), 1, 1_000),
    burstSize: integer('burst-size', get('burst-size', '50'), 1, 1_000),
    burstMode: oneOf('burst-mode', get('burst-mode', 'batch'), ['batch', 'concurrent'] as const),
    servers,
    repeat: integer('repeat', get('repeat', '1'), 1, 20),
    scenarios: [...new Set(scenarios)],
    workers: integer('workers', get('workers', String(Math.min(2, availableParallelism()))), 1, 64),
    connectConcurrency: integer('connect-concurrency', get('connect-concurrency', '200'), 1, 5_000),
    payloadBytes: integer('payload-bytes', get('payload-bytes', '100'), 40, 1_000_000),
    timeoutMs: integer('timeout-s', get('timeout-s', '30'), 1, 3_600) * 1000,
    maxDurationMs: integer('max-minutes', get('max-minutes', '20'), 1, 600) * 60_000,
    jsonPath: values.json ?? env[envName('json')],
    gatewayEntry: get('gateway-entry', 'src/main.ts'),
    help: values.help ?? false,
  };
};
