/** The operator console's API and live feed. */

import type { DeliveryRecord, PushResult } from './http-api.ts';
import type { DropReason } from './reason-lists.ts';

// ---- Operator console (`/api/console/*`, authenticated with WSGW_ADMIN_TOKEN) ----

/**
 * The console feed authenticates through the WebSocket subprotocol list, since browsers cannot set
 * headers on a WebSocket: offer `[CONSOLE_FEED_PROTOCOL, CONSOLE_TOKEN_PROTOCOL_PREFIX + base64url(token)]`.
 * The server selects `CONSOLE_FEED_PROTOCOL`; a missing or wrong token is answered 401 before the upgrade.
 */
export const CONSOLE_FEED_PROTOCOL = 'wsgw.console.v1';
export const CONSOLE_TOKEN_PROTOCOL_PREFIX = 'wsgw.token.';

/** Upper bounds (ms) of the push → ack latency buckets in console snapshots; the last bucket is open. */
export const CONSOLE_LATENCY_BOUNDS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;

/** A connection holding the most unsent bytes on its node: a slow consumer before it is cut. */
export interface BufferedConnection {
  id: string;
  user: string;
  node: string;
  bufferedAmount: number;
  connectedAt: number;
}

/** One push in the live tail (sampled and capped per node and second). */
export interface PushTailEntry {
  id: string;
  /** Comma-joined target kinds: `user`, `tag`, `all`. */
  target: string;
  /** Connections it was queued for on `node`. */
  recipients: number;
  /** Fan-out on `node`, ms. */
  fanoutMs: number;
  node: string;
  /** Epoch ms of the fan-out. */
  at: number;
}

/** One tag change applied on a node, for the live tail. */
export interface TagChangeEntry {
  connection: string;
  user: string;
  added: string[];
  removed: string[];
  node: string;
  /** Epoch ms. */
  at: number;
}

/** What a node holds now and its rates over the last second; the snapshot's totals add them up. */
export interface LoadFigures {
  connections: number;
  users: number;
  pushesPerSec: number;
  deliveriesPerSec: number;
  acksPerSec: number;
  dropsPerSec: Record<DropReason, number>;
}

/** What one node reports each second. */
export interface NodeReport extends LoadFigures {
  node: string;
  version: string;
  /** Seconds since the node started. */
  uptime: number;
  /** Event-loop delay over the last second, ms. */
  eventLoopLagMs: { p50: number; p99: number; max: number };
  memory: { rss: number; heapUsed: number };
  /** Push → ack observations in the last second, one count per `CONSOLE_LATENCY_BOUNDS_MS` bucket plus the open one. */
  latencyCounts: number[];
  /** The node's connections with the most buffered bytes (at most 5, only those above 0). */
  mostBuffered: BufferedConnection[];
  /** Pushes fanned out in the last second (at most 10). */
  recentPushes: PushTailEntry[];
  /** The node's newest slow deliveries (at most 10, newest first). */
  slowDeliveries: DeliveryRecord[];
  /** Tag changes applied in the last second (at most 10, newest first). */
  recentTagChanges: TagChangeEntry[];
  /** Epoch ms of this report. */
  at: number;
}

/** Latency percentiles (ms) estimated from buckets: the upper bound of the bucket holding the rank. */
export interface LatencyPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Observations they were computed from. */
  count: number;
}

/** One frame of `/api/console/feed`, sent every second; its size does not grow with connections. */
export interface ConsoleSnapshot {
  type: 'snapshot';
  /** Epoch ms. */
  at: number;
  /** The node serving the feed. */
  node: string;
  nodes: NodeReport[];
  totals: LoadFigures & { nodes: number };
  latency: {
    boundsMs: readonly number[];
    /** The cluster's push → ack counts in the last second, per bucket. */
    counts: number[];
    /** Over the last second and over the last minute. */
    lastSecond: LatencyPercentiles;
    lastMinute: LatencyPercentiles;
  };
  /** Every node's newest slow deliveries, newest first (at most 30). */
  slowDeliveries: DeliveryRecord[];
  slowDeliveryThresholdMs: number;
  /** The last second's sampled pushes across the cluster, newest first (at most 20). */
  recentPushes: PushTailEntry[];
  /** The last second's tag changes across the cluster, newest first (at most 20). */
  recentTagChanges: TagChangeEntry[];
}

/** Answer of `GET /api/console/session`: the token is valid; what the console needs to start. */
export interface ConsoleSession {
  node: string;
  version: string;
  /** `WSGW_TRACE_URL_TEMPLATE`, with `{traceId}` where the trace id goes; absent when not configured. */
  traceUrlTemplate?: string;
  slowDeliveryThresholdMs: number;
  /** `WSGW_PUSH_RECORD_MS`: how long each node keeps a push's record for the inspector, ms; 0 when it is off. */
  pushRecordMs: number;
}

/** Answer of `POST /api/console/push`: a push result plus the trace it produced, when traced. */
export interface ConsolePushResult extends PushResult {
  traceId?: string;
}
