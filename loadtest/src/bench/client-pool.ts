/**
 * Orchestrator side of the client harness: forks the client worker processes,
 * splits the connections between them and merges what they observe.
 * Workers are separate processes so the clients never share an event loop
 * with the orchestrator or with the server under test.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { ConnectionHealth, PoolCommand, SeqTally, WorkerReply } from './pool-messages.ts';
import { readProcessCpuMs } from './process-cpu.ts';

type ReplyType = Exclude<WorkerReply['type'], 'failed'>;
type ReplyOf<T extends ReplyType> = Extract<WorkerReply, { type: T }>;

interface WorkerHandle {
  request<T extends ReplyType>(command: PoolCommand, replyType: T): Promise<ReplyOf<T>>;
  kill(): void;
  cpuMs(): number | undefined;
  exited: Promise<void>;
}

/** How long stragglers get to answer a diagnostic snapshot before we give up. */
const SNAPSHOT_WAIT_MS = 2_000;
/** How long workers get to exit after `close` before they are killed. */
const CLOSE_WAIT_MS = 5_000;

const createWorkerHandle = (child: ChildProcess, label: string): WorkerHandle => {
  const waiters = new Map<string, { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void }>();
  const rejectAll = (error: Error): void => {
    for (const waiter of waiters.values()) waiter.reject(error);
    waiters.clear();
  };
  child.on('message', (message: WorkerReply) => {
    if (message.type === 'failed') {
      rejectAll(new Error(`${label}: ${message.message}`));
      return;
    }
    const waiter = waiters.get(message.type);
    waiters.delete(message.type);
    waiter?.resolve(message);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      rejectAll(new Error(`${label} exited (code ${code ?? '-'}, signal ${signal ?? '-'})`));
      resolve();
    });
  });
  return {
    request: <T extends ReplyType>(command: PoolCommand, replyType: T) =>
      new Promise<ReplyOf<T>>((resolve, reject) => {
        waiters.set(replyType, { resolve: (reply) => resolve(reply as ReplyOf<T>), reject });
        child.send(command);
      }),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    cpuMs: () => (child.pid === undefined ? undefined : readProcessCpuMs(child.pid)),
    exited,
  };
};

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
  const handles = shares.map((_, i) =>
    createWorkerHandle(fork(new URL('./client-worker.ts', import.meta.url), [], { stdio: 'inherit' }), `client worker ${i}`),
  );
  const all = <T>(each: (handle: WorkerHandle, i: number) => Promise<T>): Promise<T[]> =>
    Promise.all(handles.map(each));

  const describeShortfall = async (fromSeq: number, toSeq: number, timeoutMs: number): Promise<Error> => {
    const snapshot = await withTimeout(
      all((h) => h.request({ type: 'snapshot', fromSeq, toSeq }, 'snapshot')).then((r) => mergeTallies(r.map((s) => s.tallies))),
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
        all((h, i) => {
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
        all((h) => h.request({ type: 'expect', fromSeq, toSeq }, 'delivered')),
        timeoutMs,
        () => describeShortfall(fromSeq, toSeq, timeoutMs),
      );
      return mergeTallies(replies.map((r) => r.tallies));
    },

    health: async () => {
      const replies = await all((h) => h.request({ type: 'verify' }, 'verified'));
      return {
        open: replies.reduce((sum, r) => sum + r.open, 0),
        minPushes: Math.min(...replies.map((r) => r.minPushes)),
        maxPushes: Math.max(...replies.map((r) => r.maxPushes)),
        outOfOrder: replies.reduce((sum, r) => sum + r.outOfOrder, 0),
        unexpectedCloses: replies.reduce((sum, r) => sum + r.unexpectedCloses, 0),
        unrecognised: replies.reduce((sum, r) => sum + r.unrecognised, 0),
      };
    },

    cpuMs: () => {
      const each = handles.map((h) => h.cpuMs());
      return each.some((ms) => ms === undefined) ? undefined : each.reduce<number>((sum, ms) => sum + (ms ?? 0), 0);
    },

    close: async () => {
      await withTimeout(
        all((h) => h.request({ type: 'close' }, 'closed').catch(() => undefined)).then(() => all((h) => h.exited)),
        CLOSE_WAIT_MS,
        async () => new Error('client workers did not exit'),
      ).catch(() => undefined);
      for (const h of handles) h.kill();
      await all((h) => h.exited);
    },
  };
};
