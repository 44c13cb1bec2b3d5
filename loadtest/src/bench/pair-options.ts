/**
 * Options of `npm run bench:pair`: two servers side by side (pair-bench.ts). Every flag can also
 * come from `BENCH_PAIR_<FLAG>`; the flag wins.
 */
import { availableParallelism } from 'node:os';
import { createOptionReader } from '../options/option-reader.ts';
import { SERVER_KINDS, type ServerKind } from './bench-options.ts';

export interface PairOptions {
  a: ServerKind;
  b: ServerKind;
  /** Connections each server holds. */
  connections: number;
  /** Latency windows: both servers take one-user pushes at once in each. */
  windows: number;
  windowMs: number;
  /** One-user pushes per second to each server. */
  latencyRate: number;
  /** Broadcast blocks: a then b in each. */
  blocks: number;
  /** Measured broadcasts per block, and the unmeasured ones before them. */
  rounds: number;
  warmup: number;
  workers: number;
  payloadBytes: number;
  timeoutMs: number;
  maxDurationMs: number;
  /** Where the JSON results go; default loadtest/bench/results/pair-<a>-<b>.json. */
  jsonPath: string | undefined;
  help: boolean;
}

export const PAIR_USAGE = `Usage: npm run bench:pair -- [options]

Measures two servers side by side, both running, so that a difference of a
few percent is not drowned by the machine's drift between runs: one-user
latency with both taking pushes in the same windows (their schedules half an
interval apart), and broadcast throughput and CPU in blocks of a then b, so
that every run follows the other server's. Prints each ratio a/b with a 95%
bootstrap interval (p99 both pooled and window by window), each gateway's GC
pauses in both phases, and writes loadtest/bench/results/pair-<a>-<b>.json.

  --a wsgw                   the server the ratios are about
  --b wsgw-norecord          the baseline (${SERVER_KINDS.join(' | ')}); the same
                             server twice measures the run's noise floor
  --connections 5000         connections each server holds
  --windows 20               latency windows
  --window-s 5               length of each
  --latency-rate 200         one-user pushes per second to each server
  --blocks 12                broadcast blocks per server
  --rounds 10                measured broadcasts per block
  --warmup 3                 unmeasured broadcasts before them
  --workers N                client processes per server (default: min(2, cores))
  --payload-bytes 100        size of each push's data
  --timeout-s 30             limit for any single wait
  --max-minutes 40           limit for the whole run
  --json FILE                results
  --help`;

const FLAGS = {
  a: { type: 'string' },
  b: { type: 'string' },
  connections: { type: 'string' },
  windows: { type: 'string' },
  'window-s': { type: 'string' },
  'latency-rate': { type: 'string' },
  blocks: { type: 'string' },
  rounds: { type: 'string' },
  warmup: { type: 'string' },
  workers: { type: 'string' },
  'payload-bytes': { type: 'string' },
  'timeout-s': { type: 'string' },
  'max-minutes': { type: 'string' },
  json: { type: 'string' },
  help: { type: 'boolean' },
} as const;

export const parsePairOptions = (argv: string[], env: NodeJS.ProcessEnv): PairOptions => {
  const read = createOptionReader({ argv, flags: FLAGS, envPrefix: 'BENCH_PAIR_', env });
  const a = read.oneOf('a', 'wsgw', SERVER_KINDS);
  const b = read.oneOf('b', 'wsgw-norecord', SERVER_KINDS);
  // Both share the trigger's one-user route and the clients' protocol only among gateways and Node peers.
  if (a === 'nchan' || b === 'nchan') throw new Error('nchan is not paired: one nginx per machine (npm run bench compares it)');
  return {
    a,
    b,
    connections: read.integer('connections', 5000, 1, 50_000),
    windows: read.integer('windows', 20, 2, 500),
    windowMs: read.integer('window-s', 5, 1, 600) * 1000,
    latencyRate: read.integer('latency-rate', 200, 1, 5_000),
    blocks: read.integer('blocks', 12, 2, 500),
    rounds: read.integer('rounds', 10, 1, 1_000),
    warmup: read.integer('warmup', 3, 0, 100),
    workers: read.integer('workers', Math.min(2, availableParallelism()), 1, 64),
    payloadBytes: read.integer('payload-bytes', 100, 60, 1_000_000),
    timeoutMs: read.integer('timeout-s', 30, 1, 3_600) * 1000,
    maxDurationMs: read.integer('max-minutes', 40, 1, 600) * 60_000,
    jsonPath: read.text('json'),
    help: read.has('help'),
  };
};
