import type { LedgerOutcome } from '../accounting/delivery-ledger.ts';
import type { PingOptions, PingTally } from './pinger.ts';

/** A connection a worker should open: its index in the run, its user and its full URL with token. */
export interface ConnectionSpec {
  index: number;
  user: string;
  /** The sequence the connection receives: its user's, or its room tag's in `chat`. */
  stream: string;
  url: string;
}

export type ToWorker =
  /** Answered with `ready` once the worker can take connections. */
  | { type: 'hello' }
  | { type: 'open'; connections: ConnectionSpec[]; ack: boolean; connectTimeoutMs: number; ping?: PingOptions }
  /** Stop sending (pings); keep receiving. */
  | { type: 'quiet' }
  | { type: 'settle'; expected: Record<string, number[]>; floors: Record<number, number> }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'opened'; index: number; connectMs: number }
  | { type: 'failed'; index: number; reason: string }
  | { type: 'lost-connection'; index: number; code: number; reason: string }
  | {
      type: 'tick';
      /** Deliveries received since the previous tick. */
      received: number;
      acks: number;
      open: number;
      /** Latency of those deliveries, encoded (see latency-histogram.ts). */
      latency: string;
      errors: Record<string, number>;
    }
  | { type: 'settled'; outcome: LedgerOutcome; latency: string; connectLatency: string; ping: PingTally };
