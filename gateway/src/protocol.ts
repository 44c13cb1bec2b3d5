/**
 * The wsgw wire contract: frames exchanged over `/ws` and the bodies of the HTTP API.
 * This is the one module other packages (console, loadtest) import from the gateway;
 * it holds types and constants only, so importing it pulls in no server code.
 * The prose version lives in gateway/PROTOCOL.md.
 */

/** JSON value as carried in a push's `data`. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

// ---- Streams ----
// Every push is appended to the streams it targets: `u:<user>` for each user, `t:<tag>` for each
// tag, `all` for a broadcast. A connection holds its user's stream, one per tag and `all`.

export const USER_STREAM_PREFIX = 'u:';
export const TAG_STREAM_PREFIX = 't:';
export const BROADCAST_STREAM = 'all';

/**
 * Where a stream stands: the epoch of its history (a new one whenever that history was lost, a
 * memory bus restarting, say) and the position `seq` of the last push appended to it (0: none yet).
 * Positions increase by one with every push appended, within an epoch.
 */
export interface StreamPosition {
  epoch: string;
  seq: number;
}

/** Longest epoch, characters. */
export const MAX_EPOCH_LENGTH = 64;

// ---- Server → client frames ----

export interface WelcomeFrame {
  type: 'welcome';
  /** Connection id, unique across the cluster. */
  connection: string;
  /** The token's `sub`. */
  user: string;
  /** Id of the gateway node holding the connection. */
  node: string;
  /**
   * The connection's streams with where each stands now: pushes after these positions reach the
   * connection. Absent when the bus could not tell (it was down): then positions start with the
   * first push frame.
   */
  streams?: Record<string, StreamPosition>;
}

export interface PushFrame {
  type: 'push';
  /** Push id; acknowledge with `{"type":"ack","id":...}`. */
  id: string;
  /** Epoch milliseconds when the gateway accepted the push. */
  ts: number;
  /** W3C traceparent of the push's trace, only with `WSGW_TRACE_CLIENTS=true`. */
  trace?: string;
  /**
   * The push's position in each of the connection's streams it was appended to. Absent for a push
   * the bus could not append (it was down when the push was accepted).
   */
  pos?: Record<string, number>;
  data: JsonValue;
}

/**
 * How the resume of one stream went. `epoch` and `seq` are where the replay leaves the client:
 * the stream's position at the connection's welcome, since every later push reaches it live.
 */
export type StreamRecovery =
  | { recovered: true; replayed: number; epoch: string; seq: number }
  | {
      recovered: false;
      replayed: number;
      epoch: string;
      seq: number;
      /** Why the client must resynchronise this stream with its backend. */
      reason: string;
    };

/**
 * The answer to `resume`, sent once every push replayed has been written; live pushes follow it.
 * Lists each stream the resume named that belongs to the connection.
 */
export interface ResumedFrame {
  type: 'resumed';
  streams: Record<string, StreamRecovery>;
}

export interface PongFrame {
  type: 'pong';
  /** Server epoch milliseconds. */
  ts: number;
}

export interface ErrorFrame {
  type: 'error';
  error: string;
}

export type ServerFrame = WelcomeFrame | PushFrame | ResumedFrame | PongFrame | ErrorFrame;

// ---- Client → server frames ----

export interface AckFrame {
  type: 'ack';
  id: string;
}

export interface PingFrame {
  type: 'ping';
}

/**
 * Sent as the first frame of a connection that continues an earlier one: the last position seen in
 * each stream, up to which every push was seen. The gateway replays what it still holds after them,
 * in order, then answers `resumed`. Open the connection with `?resume=1` so that no live push is
 * written before the replay.
 */
export interface ResumeFrame {
  type: 'resume';
  streams: Record<string, StreamPosition>;
}

export type ClientFrame = AckFrame | PingFrame | ResumeFrame;

/** Most streams one `resume` may name: a connection holds its user's, `all` and at most 64 tags. */
export const MAX_RESUME_STREAMS = 66;


// ---- Close codes the gateway uses ----

export const CloseCode = {
  /** Server shutting down. */
  GoingAway: 1001,
  /** Repeated invalid frames, inbound rate limit exceeded, or a limit hit at open. */
  PolicyViolation: 1008,
  /** Inbound frame over the maximum size. */
  MessageTooBig: 1009,
  /** The client did not read fast enough and its buffer passed the slow-consumer limit. */
  TryAgainLater: 1013,
  /** Disconnected through the API. */
  Kicked: 4001,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

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

// ---- Reason lists ----
// Each list is written once, here: the type, the metric label values and the zero-initialised
// records of `GET /api/stats` are all derived from it, so a new reason cannot be counted in one
// place and missing in another.

/** The kinds of target a push can have (label `target` of the push counter). */
export const PUSH_TARGET_KINDS = ['user', 'tag', 'all'] as const;
export type PushTargetKind = (typeof PUSH_TARGET_KINDS)[number];

/** Why a delivery was not made: the connection was cut as a slow consumer, or closed before the write. */
export const DROP_REASONS = ['slow_consumer', 'closed'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Why a push was refused or failed; `internal`: the gateway failed (answered 500), never expected, always worth a look. */
export const PUSH_ERROR_REASONS = ['invalid', 'too_large', 'bus', 'internal'] as const;
export type PushErrorReason = (typeof PUSH_ERROR_REASONS)[number];

/** Why a connection closed. */
export const CLOSE_REASONS = ['normal', 'error', 'slow_consumer', 'policy', 'timeout', 'shutdown', 'kicked'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** Why an upgrade request was refused. */
export const REJECT_REASONS = ['auth', 'limit', 'origin', 'rate'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * How a stream's resume ended (label `result` of `wsgw_resumes_total`): `recovered` every push after
 * the client's position was still held; `gap` some were no longer held; `unknown_epoch` the
 * client's epoch is not the stream's (its history was lost since).
 */
export const RESUME_RESULTS = ['recovered', 'gap', 'unknown_epoch'] as const;
export type ResumeResult = (typeof RESUME_RESULTS)[number];

/** The kinds of message the bus carries between nodes (label `kind` of the invalid bus message counter). */
export const BUS_MESSAGE_KINDS = ['push', 'signal'] as const;
export type BusMessageKind = (typeof BUS_MESSAGE_KINDS)[number];

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
}

/** Answer of `GET /api/console/session`: the token is valid; what the console needs to start. */
export interface ConsoleSession {
  node: string;
  version: string;
  /** `WSGW_TRACE_URL_TEMPLATE`, with `{traceId}` where the trace id goes; absent when not configured. */
  traceUrlTemplate?: string;
  slowDeliveryThresholdMs: number;
}

/** Answer of `POST /api/console/push`: a push result plus the trace it produced, when traced. */
export interface ConsolePushResult extends PushResult {
  traceId?: string;
}
