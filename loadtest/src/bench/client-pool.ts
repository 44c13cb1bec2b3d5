/**
 * Orchestrator side of the benchmark's client harness: splits the connections
 * between the client worker processes (forked by the load tester's process
 * pool, which also notices a worker that dies) and merges what they observe.
 */
import { createProcessPool } from '../workers/process-pool.ts';
import type { ConnectionHealth, PoolCommand, SeqTally, WorkerReply } from './pool-messages.ts';

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
  urls: string[];
  jwtSecret: string;
  /** Handshakes in flight across all workers. */
  concurrency: number;
  /** Limit per connection and for the whole ramp, in ms. */
  timeoutMs: number;
}

export interface ClientPool {
  connect(options: ConnectOptions): Promise<{ elapsedMs: number }>;
  /** Resolves with merged tallies once every connection received every seq in [fromSeq, toSeq). */
  waitFor(fromSeq: number, toSeq: number, timeoutMs: number): Promise<SeqTally[]>;
  health(): Promise<ConnectionHealth>;
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

  const describeShortfall = async (fromSeq: number, toSeq: number, timeoutMs: number): Promise<Error> => {
    const snapshot = await withTimeout(
      processes.request({ type: 'snapshot', fromSeq, toSeq }, 'snapshot').then((r) => mergeTallies(r.map((s) => s.tallies))),
      SNAPSHOT_WAIT_MS,
      async () => new Error('workers did not answer a snapshot'),
    ).catch((error: Error) => error);
    if (snapshot instanceof Error) {
      return new Error(`deliveries of seq ${fromSeq}..${toSeq - 1} incomplete after ${timeoutMs} ms (${snapshot.message})`);
    }
    const short = snapshot.filter((t) => t.count < connections);
    const detail = short
      .slice(0, 5)
      .map((t) => `seq ${t.seq}: ${t.count}/${connections} clients`)
      .join(', ');
    return new Error(
      `deliveries incomplete after ${timeoutMs} ms: ${short.length} of ${toSeq - fromSeq} message(s) short (${detail})`,
    );
  };

  return {
    connect: async ({ urls, jwtSecret, concurrency, timeoutMs }) => {
      const perWorker = Math.max(1, Math.ceil(concurrency / count));
      let firstIndex = 0;
      const replies = await withTimeout(
        processes.all((h, i) => {
          const share = shares[i] ?? 0;
          const command: PoolCommand = { type: 'connect', urls, jwtSecret, firstIndex, count: share, concurrency: perWorker, timeoutMs };
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
      const replies = await withTimeout(
        processes.request({ type: 'expect', fromSeq, toSeq }, 'delivered'),
        timeoutMs,
        () => describeShortfall(fromSeq, toSeq, timeoutMs),
      );
      return mergeTallies(replies.map((r) => r.tallies));
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

    cpuMs: processes.cpuMs,
    close: () => processes.close({ type: 'close' }),
  };
};
