import type { LedgerOutcome } from '../accounting/delivery-ledger.ts';
import { addOutcomes, EMPTY_OUTCOME } from '../accounting/delivery-ledger.ts';
import { createLatencyHistogram, decodeLatencyHistogram, type LatencyHistogram } from '../metrics/latency-histogram.ts';
import { addPingTallies, NO_PINGS, type PingOptions, type PingTally } from './pinger.ts';
import { createProcessPool } from './process-pool.ts';
import type { ConnectionSpec, FromWorker, ToWorker } from './worker-messages.ts';

const WORKER = new URL('./client-worker.ts', import.meta.url);

export interface PoolEvents {
  opened(index: number, connectMs: number): void;
  failed(index: number, reason: string): void;
  lost(index: number, code: number, reason: string): void;
  /** Worker `worker`'s tick (every second). */
  tick(worker: number, tick: WorkerTick): void;
}

/** What a worker reports every second: deliveries and acks since its previous tick, their latency. */
export interface WorkerTick {
  received: number;
  acks: number;
  /** Connections the worker holds open now. */
  open: number;
  latency: LatencyHistogram;
  /** Errors since the previous tick, by kind. */
  errors: Record<string, number>;
}

export interface Settlement {
  outcome: LedgerOutcome;
  ping: PingTally;
  latency: LatencyHistogram;
  connectLatency: LatencyHistogram;
}

export interface WorkerPool {
  /** Resolves once every worker process is up and can take connections; rejects when one died. */
  ready(): Promise<void>;
  /** Hands connections to the workers, round-robin. */
  open(connections: ConnectionSpec[], options: { ack: boolean; connectTimeoutMs: number; ping?: PingOptions }): void;
  /** Tells the workers to stop sending (pings), ahead of settling. */
  quiet(): void;
  /** Asks every worker to compare what it received with `expected` (sequence numbers per user); rejects when a worker has died. */
  settle(expected: Record<string, number[]>, floors: Record<number, number>): Promise<Settlement>;
  close(): Promise<void>;
}

/**
 * Client connections spread over child processes, so one driver can hold thousands of sockets on
 * several cores and the clients are not what limits the gateway. Histograms come back encoded and
 * are merged exactly.
 */
export function createWorkerPool(size: number, events: PoolEvents): WorkerPool {
  const onMessage = (message: FromWorker, worker: number): void => {
    if (message.type === 'opened') events.opened(message.index, message.connectMs);
    else if (message.type === 'failed') events.failed(message.index, message.reason);
    else if (message.type === 'lost-connection') events.lost(message.index, message.code, message.reason);
    else if (message.type === 'tick') events.tick(worker, { ...message, latency: decodeLatencyHistogram(message.latency) });
  };
  // A worker's `failed` reports one connection, not the worker: only its exit fails a request.
  const processes = createProcessPool<ToWorker, FromWorker>({ entry: WORKER, size, label: 'load worker', onMessage, closeWaitMs: 3000 });
  const { workers } = processes;
  let next = 0;

  return {
    async ready() {
      await processes.request({ type: 'hello' }, 'ready');
    },
    open(connections, options) {
      const shares: ConnectionSpec[][] = workers.map(() => []);
      for (const connection of connections) {
        shares[next % workers.length]!.push(connection);
        next += 1;
      }
      shares.forEach((share, i) => {
        if (share.length > 0) workers[i]!.post({ type: 'open', connections: share, ...options });
      });
    },
    quiet() {
      for (const worker of workers) worker.post({ type: 'quiet' });
    },
    async settle(expected, floors) {
      // Rejects when a worker died: its connections' accounts are gone, and waiting would never end.
      const answers = await processes.request({ type: 'settle', expected, floors }, 'settled');
      const latency = createLatencyHistogram();
      const connectLatency = createLatencyHistogram();
      let outcome = EMPTY_OUTCOME;
      let ping: PingTally = NO_PINGS;
      for (const answer of answers) {
        outcome = addOutcomes(outcome, answer.outcome);
        ping = addPingTallies(ping, answer.ping);
        latency.add(decodeLatencyHistogram(answer.latency));
        connectLatency.add(decodeLatencyHistogram(answer.connectLatency));
      }
      return { outcome, ping, latency, connectLatency };
    },
    close: () => processes.close({ type: 'close' }),
  };
}
