/** The bodies of the HTTP API: pushes, users, cluster, stats, slow deliveries. */

import type { CloseReason, DropReason, PushTargetKind, RejectReason } from './reason-lists.ts';
import type { JsonValue } from './wire-frames.ts';

// ---- HTTP API bodies ----

/** Who receives a push. At least one target is required; a connection matched twice gets it once. */
export interface PushTarget {
  users?: string[];
  tags?: string[];
  all?: boolean;
}

/**
 * Deepest nesting of arrays and objects a push's `data` may have (`[[1]]` nests 2 levels); deeper
 * `data` is refused with 400. Many clients' JSON parsers recurse, so the gateway does not deliver
 * what they might not be able to read.
 */
export const MAX_DATA_DEPTH = 128;

/** Body of `POST /api/push`, and each entry of a batch. */
export interface PushRequest {
  to: PushTarget;
  data: JsonValue;
  /** Caller-chosen id; a repeat within the idempotency window is not delivered again. */
  id?: string;
}

/** 202 answer of `POST /api/push`. */
export interface PushResult {
  id: string;
  /** Connections the frame was written to, across the cluster. */
  recipients: number;
  /** Present (false) when some node did not report its count in time: `recipients` is then a floor. */
  complete?: false;
}

export interface BatchPushRequest {
  pushes: PushRequest[];
}

export interface BatchPushResponse {
  results: Array<PushResult | ErrorBody>;
}

export interface ErrorBody {
  error: string;
}

export interface ConnectionInfo {
  id: string;
  tags: string[];
  /** Epoch milliseconds. */
  connectedAt: number;
  /** Bytes written to the socket but not yet sent to the peer. */
  bufferedAmount: number;
  /** Remote address as `ip:port`. */
  remote: string;
  /** The node holding the connection (in `GET /api/users/:user`). */
  node?: string;
}

/** Answer of `GET /api/users/:user`. */
export interface UserConnections {
  user: string;
  connections: ConnectionInfo[];
  /** Present (false) when some node did not answer in time: the list may be missing connections. */
  complete?: false;
}

/** Answer of `DELETE`-style disconnect calls. */
export interface DisconnectResult {
  disconnected: number;
}

/**
 * Body of `POST /api/users/:user/tags` and `POST /api/connections/:id/tags`: tags to add and tags
 * to remove (at least one of them, each at most `MAX_CONNECTION_TAGS`); a tag in both is removed.
 */
export interface TagChangeRequest {
  add?: string[];
  remove?: string[];
}

/** Answer of the tag change routes, once every changed connection receives its new tags' pushes. */
export interface TagChangeResult {
  /** Connections whose tags changed (a connection that already had them all is not counted). */
  changed: number;
  /** Connections left unchanged because they would hold more than `MAX_CONNECTION_TAGS` tags. */
  refused?: number;
  /** Present (false) when some node did not answer in time: more connections may have changed. */
  complete?: false;
}

/** One connection in `GET /api/tags/:tag`. */
export interface TaggedConnection {
  id: string;
  user: string;
  node: string;
  /** Epoch milliseconds. */
  connectedAt: number;
}

/** Default and largest `limit` of `GET /api/tags/:tag`. */
export const TAG_PAGE_DEFAULT_LIMIT = 100;
export const TAG_PAGE_MAX_LIMIT = 1000;

/** Answer of `GET /api/tags/:tag`: one page of the tag's connections across the cluster, by id. */
export interface TagConnections {
  tag: string;
  /** Connections holding the tag across the cluster. */
  total: number;
  connections: TaggedConnection[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  next?: string;
  /** Present (false) when some node did not answer in time. */
  complete?: false;
}

/** One node in `GET /api/cluster`. */
export interface ClusterNode {
  node: string;
  version: string;
  connections: number;
  users: number;
  pushesPerSec: number;
  deliveriesPerSec: number;
  /** Epoch ms of its last announcement. */
  lastSeen: number;
}

/** Answer of `GET /api/cluster`. */
export interface ClusterView {
  /** The node that answered. */
  node: string;
  nodes: ClusterNode[];
}

/** Answer of `GET /api/stats`. */
export interface GatewayStats {
  node: string;
  connections: number;
  users: number;
  tags: number;
  pushes: Record<PushTargetKind, number> & { total: number; errors: number };
  deliveries: number;
  drops: Record<DropReason, number>;
  acks: number;
  connectionsOpened: number;
  connectionsClosed: Record<CloseReason, number>;
  connectionsRejected: Record<RejectReason, number>;
  /** Seconds since the node started. */
  uptime: number;
  memory: { rss: number; heapUsed: number; heapTotal: number };
}

// ---- Slow deliveries ----

/** One acknowledged delivery with the instants it passed each stage (epoch ms, sub-millisecond). */
export interface DeliveryRecord {
  push: string;
  traceId: string | undefined;
  user: string;
  connection: string;
  /** The node that wrote the frame (the push may have been accepted on another one). */
  node: string;
  accepted: number;
  published: number;
  fanoutStarted: number;
  written: number;
  acked: number;
  /** accepted → acked, ms. */
  latencyMs: number;
}

/** Answer of `GET /api/deliveries/slow` (this node's deliveries). */
export interface SlowDeliveriesReport {
  thresholdMs: number;
  /** The slowest deliveries acknowledged within the window, slowest first. */
  slowest: DeliveryRecord[];
  /** The most recent deliveries over the threshold, newest first. */
  overThreshold: DeliveryRecord[];
}
