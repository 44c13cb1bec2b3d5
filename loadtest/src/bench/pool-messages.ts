/**
 * IPC messages between the orchestrator and its client worker processes.
 * Sequence ranges are half-open: `fromSeq` inclusive, `toSeq` exclusive.
 */
import type { ProtocolName } from './protocols/client-protocol.ts';

/** A server's WebSocket listener; the path comes from the protocol. */
export interface Endpoint {
  host: string;
  port: number;
}

export interface ConnectCommand {
  type: 'connect';
  /** Connection i dials endpoints[i % length] (several gateway nodes). */
  endpoints: Endpoint[];
  protocol: ProtocolName;
  /** HS256 secret used to sign one token per connection, when the protocol needs tokens. */
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

/**
 * Latency mode on: from now on every push frame's `sentAt` is turned into a latency sample and its
 * seq noted, instead of being tallied as a broadcast (one-user pushes use their own seq space).
 * Off: back to tallying.
 */
export interface LatencyModeCommand {
  type: 'latency-mode';
  on: boolean;
}

/** Hands over the latency samples and seqs received so far, and clears them. */
export interface LatencyCollectCommand {
  type: 'latency-collect';
}

export interface CloseCommand {
  type: 'close';
}

export type PoolCommand =
  | ConnectCommand
  | ExpectCommand
  | SnapshotCommand
  | VerifyCommand
  | LatencyModeCommand
  | LatencyCollectCommand
  | CloseCommand;

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
  /** Receive time minus `sentAt` per push, in ms, and the seq of each (same order). */
  | { type: 'latency'; samplesMs: number[]; seqs: number[] }
  | { type: 'latency-mode'; on: boolean }
  | { type: 'closed' }
  | { type: 'failed'; message: string };
