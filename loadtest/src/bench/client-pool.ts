/**
 * Orchestrator side of the benchmark's client harness: splits the connections
 * between the client worker processes (forked by the load tester's process
 * pool, which also notices a worker that dies) and merges what they observe.
 */
import { createProcessPool } from '../workers/process-pool.ts';
import type { ProtocolName } from './protocols/client-protocol.ts';
import type { ConnectionHealth, Endpoint, PoolCommand, SeqTally, WorkerReply } from './pool-messages.ts';

/** How long stragglers get to answer a diagnostic snapshot before we give up. */
const SNAPSHOT_WAIT_MS = 2_000;

const withTimeout = <T>(work: Promise<T>, ms: number, onTimeout: () => Promise<Error>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => void onTimeout().then(reject, reject), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
};

/** NaN marks "none received" in a worker, so it must not win a min or max. */
const pickDefined = (pick: (a: number, b: number) => number, a: number, b: number): number =>
  Number.isNaN(a) ? b : Number.isNaN(b) ? a : pick(a, b);

/** Adds up per-worker tallies of the same sequence numbers. */
const mergeTallies = (perWorker: SeqTally[][]): SeqTally[] => {
  const merged = new Map<number, SeqTally>();
  for (const tallies of perWorker) {
    for (const t of tallies) {
      const into = merged.get(t.seq);
      if (!into) {
        merged.set(t.seq, { ...t });
        continue;
      }
      into.count += t.count;
      into.firstMs = pickDefined(Math.min, into.firstMs, t.firstMs);
      into.lastMs = pickDefined(Math.max, into.lastMs, t.lastMs);
    }
  }
  return [...merged.values()].sort((a, b) => a.seq - b.seq);
};

export interface ClientPoolOptions {
  connections: number;
  /** Worker processes; fewer are used when there are fewer connections. */
  workers: number;
}

export interface ConnectOptions {
  /** Spread round-robin over these (several gateway nodes). */
  endpoints: Endpoint[];
  protocol: ProtocolName;
  jwtSecret: string;
  /** Handshakes in flight across all workers. */
  concurrency: number;
  /** Limit per connection and for the whole ramp, in ms. */
  timeoutMs: number;
}

export interface ClientPool {
  connect(options: ConnectOptions): Promise<{ elapsedMs: number }>;
  /**
   * Resolves with merged tallies once every connection received every seq in [fromSeq, toSeq), or
   * after `timeoutMs` with what arrived by then (`complete: false`): the shortfall is the loss.
   */
  waitFor(fromSeq: number, toSeq: number, timeoutMs: number): Promise<{ tallies: SeqTally[]; complete: boolean }>;
  health(): Promise<ConnectionHealth>;
  /** Switches every worker between tallying broadcasts and sampling one-user push latency; resolves once all did. */
  latencyMode(on: boolean): Promise<void>;
  /** Latency samples (ms) and seqs received by all workers since the last collection. */
  collectLatency(): Promise<{ samplesMs: number[]; seqs: number[] }>;
  /** CPU ms all client workers used so far; shows when the harness rather than the server is the limit. */
  cpuMs(): number | undefined;
  close(): Promise<void>;
}

export const createClientPool = ({ connections, workers }: ClientPoolOptions): ClientPool => {
  const count = Math.max(1, Math.min(workers, connections));
  const shares = Array.from({ length: count }, (_, i) =>
    Math.floor(connections / count) + (i < connections % count ? 1 : 0),
  );
  const processes = createProcessPool<PoolCommand, WorkerReply>({
    entry: new URL('./client-worker.ts', import.meta.url),
    size: count,
    label: 'client worker',
    failure: (reply) => (reply.type === 'failed' ? reply.message : undefined),
  });

  /** What did arrive of [fromSeq, toSeq) when a round ran out of time; throws when the workers cannot say. */
  const snapshot = async (fromSeq: number, toSeq: number): Promise<SeqTally[]> =>
    withTimeout(
      processes.request({ type: 'snapshot', fromSeq, toSeq }, 'snapshot').then((r) => mergeTallies(r.map((s) => s.tallies))),
      SNAPSHOT_WAIT_MS,
      async () => new Error(`deliveries of seq ${fromSeq}..${toSeq - 1} incomplete and the workers did not answer a snapshot`),
    );

  return {
    connect: async ({ endpoints, protocol, jwtSecret, concurrency, timeoutMs }) => {
      const perWorker = Math.max(1, Math.ceil(concurrency / count));
      let firstIndex = 0;
      const replies = await withTimeout(
        processes.all((h, i) => {
          const share = shares[i] ?? 0;
          const command: PoolCommand = { type: 'connect', endpoints, protocol, jwtSecret, firstIndex, count: share, concurrency: perWorker, timeoutMs };
          firstIndex += share;
          return h.request(command, 'connected');
        }),
        // The ramp as a whole gets the per-connection limit once per 1000 connections.
        timeoutMs * Math.max(1, Math.ceil(connections / 1000)),
        async () => new Error(`connecting ${connections} clients did not finish in time`),
      );
      return { elapsedMs: Math.max(...replies.map((r) => r.elapsedMs)) };
    },

    waitFor: async (fromSeq, toSeq, timeoutMs) => {
      const timedOut = new Error('round timed out');
      const replies = await withTimeout(processes.request({ type: 'expect', fromSeq, toSeq }, 'delivered'), timeoutMs, async () => timedOut).catch(
        (error: unknown) => {
          if (error !== timedOut) throw error;
          return undefined;
        },
      );
      if (replies) return { tallies: mergeTallies(replies.map((r) => r.tallies)), complete: true };
      return { tallies: await snapshot(fromSeq, toSeq), complete: false };
    },

    health: async () => {
      const replies = await processes.request({ type: 'verify' }, 'verified');
      return {
        open: replies.reduce((sum, r) => sum + r.open, 0),
        minPushes: Math.min(...replies.map((r) => r.minPushes)),
        maxPushes: Math.max(...replies.map((r) => r.maxPushes)),
        outOfOrder: replies.reduce((sum, r) => sum + r.outOfOrder, 0),
        unexpectedCloses: replies.reduce((sum, r) => sum + r.unexpectedCloses, 0),
        unrecognised: replies.reduce((sum, r) => sum + r.unrecognised, 0),
      };
    },

    latencyMode: async (on) => {
      await processes.request({ type: 'latency-mode', on }, 'latency-mode');
    },

    collectLatency: async () => {
      const replies = await processes.request({ type: 'latency-collect' }, 'latency');
      return { samplesMs: replies.flatMap((r) => r.samplesMs), seqs: replies.flatMap((r) => r.seqs) };
    },

    cpuMs: processes.cpuMs,
    close: () => processes.close({ type: 'close' }),
  };
};
