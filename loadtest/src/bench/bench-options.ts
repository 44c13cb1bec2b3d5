/**
 * Command-line and environment options of the bench. Every flag can also come from `BENCH_<FLAG>`
 * (e.g. `BENCH_CONNECTIONS=1000`); the flag wins. `--quick` changes the defaults, not given flags.
 */
import { availableParallelism } from 'node:os';
import { createOptionReader } from '../options/option-reader.ts';
import type { BurstMode } from './push-trigger.ts';

/**
 * `wsgw`: the gateway as users run it, in production mode with metrics on and the OTel SDK
 * preloaded, every push traced; `wsgw-norecord`: the same with the push inspector off
 * (`WSGW_PUSH_RECORD_MS=0`), what its cost is read against; `wsgw-bare`: metrics and tracing off; `wsgw-cluster`: three bare
 * gateways on one NATS, clients spread over them, pushes to node 1. The peers: `raw` (a plain `ws`
 * loop, raw-server.ts), `socketio` (Socket.IO 4, socket-io-server.ts), `nchan` (nginx + nchan).
 */
export const SERVER_KINDS = ['wsgw', 'wsgw-norecord', 'wsgw-bare', 'wsgw-cluster', 'raw', 'socketio', 'nchan'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** The server the ratios are about, and the peers it is compared with by default. */
export const SUBJECT: ServerKind = 'wsgw';
export const DEFAULT_SERVERS: readonly ServerKind[] = ['wsgw', 'raw', 'socketio', 'nchan'];

export const SCENARIO_KINDS = ['single', 'burst', 'latency'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

export interface BenchOptions {
  quick: boolean;
  connections: number[];
  rounds: number;
  warmup: number;
  bursts: number;
  /** Unmeasured bursts before the measured ones. */
  burstWarmup: number;
  burstSize: number;
  burstMode: BurstMode;
  servers: ServerKind[];
  /** Times each connection count runs its servers, alternating their order (A B, B A, ...). */
  repeat: number;
  scenarios: ScenarioKind[];
  /** One-user pushes per second during the latency window. */
  latencyRate: number;
  /** Length of the latency window, in ms. */
  latencyMs: number;
  /** Pause after the last connection before idle memory is read, in ms. */
  settleMs: number;
  workers: number;
  connectConcurrency: number;
  payloadBytes: number;
  /** Limit for any single wait (server ready, a ramp step, one round), in ms. */
  timeoutMs: number;
  /** Limit for the whole run, in ms. */
  maxDurationMs: number;
  /** Where the JSON results go. */
  jsonPath: string;
  /** Where benchmarks.md and benchmarks.svg go; `none` writes neither. */
  docsDir: string;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

Measures the wsgw gateway (production mode, metrics and tracing on) against a
plain \`ws\` server, Socket.IO 4 and nchan with the same raw-TCP clients, the
servers alternating; writes a table, loadtest/bench/results/latest.json and
docs/benchmarks.md (+ .svg).

  --quick                    short run (under 5 minutes): fewer rounds and bursts, 4 s latency windows
  --connections 1000,10000,20000 (quick 1000,10000)
                             connection counts (those the fd limit cannot hold are skipped)
  --repeat 3 (quick 3)       runs of every server per connection count, order reversed
                             every other time; figures report median [min-max]
  --rounds 20 (quick 5)      measured single-broadcast rounds per run
  --warmup 10 (quick 5)      unmeasured single broadcasts before the measured ones (the
                             send paths are cold at first: with one, 1k figures halve)
  --bursts 10 (quick 1)      measured bursts per run
  --burst-warmup 1 (quick 0) unmeasured bursts before them
  --burst-size 50            pushes per burst (max 1000, the gateway's batch limit)
  --burst-mode batch         gateway bursts: batch | concurrent
  --only wsgw,raw,socketio,nchan
                             servers: ${SERVER_KINDS.join(' | ')}, comma-separated
  --scenarios single,burst,latency
  --latency-rate 500         one-user pushes per second in the latency window
  --latency-s 20 (quick 4)   latency window
  --settle-s 3 (quick 1)     pause before idle memory is read
  --workers N                client processes (default: min(2, cores))
  --connect-concurrency 200  handshakes in flight during the ramp
  --payload-bytes 100        size of each push's data
  --timeout-s 30             limit for any single wait
  --max-minutes 45 (quick 8) limit for the whole run
  --json FILE                results (default loadtest/bench/results/latest.json)
  --docs DIR                 benchmarks.md and .svg (default docs/ at the repository root; none: skip)
  --help

Each flag may also be given as BENCH_<FLAG>, e.g. BENCH_ONLY=raw. From the
repository root: npm run bench -- --quick (the root script passes its arguments on).`;

const FLAGS = {
  quick: { type: 'boolean' },
  connections: { type: 'string' },
  rounds: { type: 'string' },
  warmup: { type: 'string' },
  bursts: { type: 'string' },
  'burst-warmup': { type: 'string' },
  'burst-size': { type: 'string' },
  'burst-mode': { type: 'string' },
  only: { type: 'string' },
  repeat: { type: 'string' },
  scenarios: { type: 'string' },
  'latency-rate': { type: 'string' },
  'latency-s': { type: 'string' },
  'settle-s': { type: 'string' },
  workers: { type: 'string' },
  'connect-concurrency': { type: 'string' },
  'payload-bytes': { type: 'string' },
  'timeout-s': { type: 'string' },
  'max-minutes': { type: 'string' },
  json: { type: 'string' },
  docs: { type: 'string' },
  help: { type: 'boolean' },
} as const;

export interface BenchPaths {
  jsonPath: string;
  docsDir: string;
}

export const parseBenchOptions = (argv: string[], env: NodeJS.ProcessEnv, paths: BenchPaths): BenchOptions => {
  const read = createOptionReader({ argv, flags: FLAGS, envPrefix: 'BENCH_', env });
  const quick = read.has('quick') || env.BENCH_QUICK === 'true';
  const servers = read.someOf('only', DEFAULT_SERVERS.join(','), SERVER_KINDS);
  if (servers.length === 0) throw new Error('--only names no server');
  return {
    quick,
    connections: read.integers('connections', quick ? '1000,10000' : '1000,10000,20000', 1, 100_000),
    rounds: read.integer('rounds', quick ? 5 : 20, 1, 10_000),
    warmup: read.integer('warmup', quick ? 5 : 10, 0, 100),
    // Bursts at 10k connections are the longest part of a run; in a quick run one per run is a
    // sample of each of the runs, which is what the figure folds.
    bursts: read.integer('bursts', quick ? 1 : 10, 1, 1_000),
    burstWarmup: read.integer('burst-warmup', quick ? 0 : 1, 0, 100),
    burstSize: read.integer('burst-size', 50, 1, 1_000),
    burstMode: read.oneOf('burst-mode', 'batch', ['batch', 'concurrent'] as const),
    servers,
    repeat: read.integer('repeat', 3, 1, 20),
    scenarios: read.someOf('scenarios', SCENARIO_KINDS.join(','), SCENARIO_KINDS),
    latencyRate: read.integer('latency-rate', 500, 1, 20_000),
    latencyMs: read.integer('latency-s', quick ? 4 : 20, 1, 600) * 1000,
    settleMs: read.integer('settle-s', quick ? 1 : 3, 0, 120) * 1000,
    workers: read.integer('workers', Math.min(2, availableParallelism()), 1, 64),
    connectConcurrency: read.integer('connect-concurrency', 200, 1, 5_000),
    payloadBytes: read.integer('payload-bytes', 100, 60, 1_000_000),
    timeoutMs: read.integer('timeout-s', 30, 1, 3_600) * 1000,
    maxDurationMs: read.integer('max-minutes', quick ? 8 : 45, 1, 600) * 60_000,
    jsonPath: read.text('json') ?? paths.jsonPath,
    docsDir: read.text('docs') ?? paths.docsDir,
    help: read.has('help'),
  };
};
