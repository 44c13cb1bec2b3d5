/**
 * The wsgw wire contract: frames exchanged over `/ws` and the bodies of the HTTP API.
 * This is the one module other packages (console, loadtest) import from the gateway;
 * it holds types and constants only, so importing it pulls in no server code.
 * The prose version lives in gateway/PROTOCOL.md.
 */

/** JSON value as carried in a push's `data`. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

// ---- Server → client frames ----

export interface WelcomeFrame {
  type: 'welcome';
  /** Connection id, unique across the cluster. */
  connection: string;
  /** The token's `sub`. */
  user: string;
  /** Id of the gateway node holding the connection. */
  node: string;
}

export interface PushFrame {
  type: 'push';
  /** Push id; acknowledge with `{"type":"ack","id":...}`. */
  id: string;
  /** Epoch milliseconds when the gateway accepted the push. */
  ts: number;
  /** W3C traceparent of the push's trace, only with `WSGW_TRACE_CLIENTS=true`. */
  trace?: string;
  data: JsonValue;
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

export type ServerFrame = WelcomeFrame | PushFrame | PongFrame | ErrorFrame;

// ---- Client → server frames ----

export interface AckFrame {
  type: 'ack';
  id: string;
}

export interface PingFrame {
  type: 'ping';
}

export type ClientFrame = AckFrame | PingFrame;

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

export type PushTargetKind = 'user' | 'tag' | 'all';

export type DropReason = 'slow_consumer' | 'closed';

export type PushErrorReason = 'invalid' | 'too_large' | 'bus';

export type CloseReason = 'normal' | 'error' | 'slow_consumer' | 'policy' | 'timeout' | 'shutdown' | 'kicked';

export type RejectReason = 'auth' | 'limit' | 'origin' | 'rate';

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
