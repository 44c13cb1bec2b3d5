/** The push inspector's answers: what happened to one push, and to a user's recent pushes. */

import type { PushTarget } from './http-api.ts';
import type { DropReason } from './reason-lists.ts';

/**
 * Connections listed one by one per push and node (`WSGW_PUSH_RECORD_CONNECTIONS`, default 100);
 * past that a node reports its latency percentiles and its slowest connections instead.
 */
export const DEFAULT_RECORDED_CONNECTIONS = 100;

/** Slowest connections a node lists for a push that reached more than it lists one by one. */
export const SLOWEST_RECORDED_CONNECTIONS = 10;

/** What became of a push on one connection. Instants are epoch ms (sub-millisecond). */
export interface PushConnectionRecord {
  connection: string;
  user: string;
  node: string;
  /** When the frame was handed to the socket; absent when it never was. */
  writtenAt?: number;
  /** When the client acknowledged it; absent until it does. */
  ackedAt?: number;
  /** Why it was not delivered, when it was not. */
  dropped?: DropReason;
}

/** Percentiles (ms, from acceptance) over every connection a node recorded a push for. */
export interface PushLatencySummary {
  /** Connections counted. */
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** One node's part in a push. */
export interface PushNodeRecord {
  node: string;
  /** When this node started the push's fan-out (epoch ms). */
  fanoutAt: number;
  /** The fan-out's own duration on this node, ms. */
  fanoutMs: number;
  /** Connections the push matched here. */
  matched: number;
  /** Connections its frame was handed to. */
  written: number;
  dropped: Record<DropReason, number>;
  /** Connections that acknowledged it. */
  acked: number;
  /** Every connection, while `matched` ≤ the recorded bound; otherwise the slowest ones. */
  connections: PushConnectionRecord[];
  /** Present (true) when `connections` lists only the slowest of `matched`. */
  truncated?: true;
  /** accepted → written, and accepted → acked, over this node's connections. */
  writeLatency?: PushLatencySummary;
  ackLatency?: PushLatencySummary;
}

/** Answer of `GET /api/pushes/:id`: one push across the cluster. */
export interface PushInspection {
  id: string;
  /** The node that answered 202. */
  acceptedBy: string;
  /** Epoch ms when it was accepted, and when that node handed it to the bus. */
  acceptedAt: number;
  publishedAt: number;
  to: PushTarget;
  /** The trace id of the push, when it was traced. */
  traceId?: string;
  /** Every node that matched a connection for it (or the accepting node's alone), by node id. */
  nodes: PushNodeRecord[];
  /** Present (false) when some node did not answer in time: nodes may be missing. */
  complete?: false;
}

/** One push in `GET /api/users/:user/pushes`: its outcome on that user's connections only. */
export interface UserPushRecord {
  id: string;
  acceptedAt: number;
  to: PushTarget;
  traceId?: string;
  connections: PushConnectionRecord[];
}

/** Answer of `GET /api/users/:user/pushes`, newest first. */
export interface UserPushes {
  user: string;
  pushes: UserPushRecord[];
  complete?: false;
}
