/**
 * IPC messages between the orchestrator and its client worker processes.
 * Sequence ranges are half-open: `fromSeq` inclusive, `toSeq` exclusive.
 */

export interface ConnectCommand {
  type: 'connect';
  /** WebSocket URLs without query, e.g. `ws://127.0.0.1:4000/ws`; connection i uses urls[i % length]. */
  urls: string[];
  /** HS256 secret used to sign one token per connection. */
  jwtSecret: string;
  /** Global index of this worker's first connection; user ids are `u<index>`. */
  firstIndex: number;
  count: number;
  /** Handshakes in flight at once inside this worker. */
  concurrency: number;
  /** Per-connection limit from dial to welcome frame, in ms. */
  timeoutMs: number;
}

export interface ExpectCommand {
  type: 'expect';
  fromSeq: number;
  toSeq: number;
}

export interface SnapshotCommand {
  type: 'snapshot';
  fromSeq: number;
  toSeq: number;
}

export interface VerifyCommand {
  type: 'verify';
}

export interface CloseCommand {
  type: 'close';
}

export type PoolCommand = ConnectCommand | ExpectCommand | SnapshotCommand | VerifyCommand | CloseCommand;

/** How one sequence number arrived across a worker's connections (epoch ms). */
export interface SeqTally {
  seq: number;
  count: number;
  firstMs: number;
  lastMs: number;
}

export interface ConnectionHealth {
  /** Connections still open. */
  open: number;
  /** Fewest and most push frames any one connection received. */
  minPushes: number;
  maxPushes: number;
  /** Frames whose sequence number was not above the previous one on that connection. */
  outOfOrder: number;
  /** Closes the harness did not ask for. */
  unexpectedCloses: number;
  /** Frames that were neither a welcome nor carried a sequence number. */
  unrecognised: number;
}

export type WorkerReply =
  | { type: 'connected'; count: number; elapsedMs: number }
  | { type: 'delivered'; tallies: SeqTally[] }
  | { type: 'snapshot'; tallies: SeqTally[] }
  | ({ type: 'verified' } & ConnectionHealth)
  | { type: 'closed' }
  | { type: 'failed'; message: string };
