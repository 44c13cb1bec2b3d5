/**
 * Command-line and environment options of the fan-out bench. Every flag can
 * also come from `BENCH_<FLAG>` (e.g. `BENCH_CONNECTIONS=1000`); the flag wins.
 */
import { availableParallelism } from 'node:os';
import { createOptionReader } from '../options/option-reader.ts';
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

const SERVER_KINDS = ['gateway', 'observed', 'cluster', 'raw'] as const;

export const parseBenchOptions = (argv: string[], env: NodeJS.ProcessEnv): BenchOptions => {
  const read = createOptionReader({ argv, flags: FLAGS, envPrefix: 'BENCH_', env });
  const only = read.text('only') ?? 'all';
  const servers: ServerKind[] =
    only === 'all' ? [...SERVER_KINDS] : only === 'both' ? ['gateway', 'raw'] : read.someOf('only', 'all', SERVER_KINDS);
  if (servers.length === 0) throw new Error('--only names no server');
  return {
    connections: read.integers('connections', '1000,10000', 1, 15_000),
    rounds: read.integer('rounds', 20, 1, 10_000),
    warmup: read.integer('warmup', 2, 0, 100),
    bursts: read.integer('bursts', 10, 1, 1_000),
    burstSize: read.integer('burst-size', 50, 1, 1_000),
    burstMode: read.oneOf('burst-mode', 'batch', ['batch', 'concurrent'] as const),
    servers,
    repeat: read.integer('repeat', 1, 1, 20),
    scenarios: read.someOf('scenarios', 'single,burst', ['single', 'burst'] as const),
    workers: read.integer('workers', Math.min(2, availableParallelism()), 1, 64),
    connectConcurrency: read.integer('connect-concurrency', 200, 1, 5_000),
    payloadBytes: read.integer('payload-bytes', 100, 40, 1_000_000),
    timeoutMs: read.integer('timeout-s', 30, 1, 3_600) * 1000,
    maxDurationMs: read.integer('max-minutes', 20, 1, 600) * 60_000,
    jsonPath: read.text('json'),
    gatewayEntry: read.text('gateway-entry') ?? 'src/main.ts',
    help: read.has('help'),
  };
};
