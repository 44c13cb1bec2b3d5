/** The frames exchanged over `/ws`, the streams they carry positions of, and the close codes. */

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

/**
 * The connection's tags changed through the API (`POST /api/users/:user/tags` or
 * `POST /api/connections/:id/tags`): sent once the streams of the new tags reach the connection.
 * `streams` gives where each newly held `t:<tag>` stream stood then, like the welcome's: pushes
 * after those positions reach the connection. Absent when the bus could not tell (then positions
 * start with the stream's first push frame). The streams in `removed` are no longer held: no push
 * of theirs arrives after this frame, and a resume no longer names them.
 */
export interface TagsFrame {
  type: 'tags';
  /** Every tag the connection holds now. */
  tags: string[];
  /** The streams it holds from now on, `t:<tag>` each. */
  added: string[];
  streams?: Record<string, StreamPosition>;
  removed: string[];
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

/**
 * Sent once the connection's token has expired (at its `exp`, within a second): answer with a
 * `token` frame within the refresh grace (`WSGW_REFRESH_GRACE_MS`), or the connection is closed
 * with 4003 "token expired".
 */
export interface RefreshFrame {
  type: 'refresh';
}

/** The answer to a `token` frame that was verified: the connection now expires at the new token's `exp`. */
export interface TokenAcceptedFrame {
  type: 'token_accepted';
  /** The new token's `exp` claim, epoch seconds; absent for a token without one (the connection no longer expires). */
  exp?: number;
}

/** The answer to a `token` frame that was not accepted: the connection's earlier deadline stands. */
export interface TokenRefusedFrame {
  type: 'token_refused';
  /** Why, as a connect would be refused (`token signature is invalid`, `token expired`, ...). */
  error: string;
}

export type ServerFrame = WelcomeFrame | PushFrame | ResumedFrame | TagsFrame | PongFrame | ErrorFrame | RefreshFrame | TokenAcceptedFrame | TokenRefusedFrame;

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

/**
 * A new token for the open connection, verified like a connect token and for the same `sub`;
 * accepted at any time, not only after a `refresh`. Its tags are not read: the connection keeps
 * the tags of its connect token.
 */
export interface TokenFrame {
  type: 'token';
  token: string;
}

export type ClientFrame = AckFrame | PingFrame | ResumeFrame | TokenFrame;

/** Longest token a `token` frame may carry, characters (an upgrade's headers are bounded alike). */
export const MAX_TOKEN_LENGTH = 16_384;

/** Most tags a connection holds, from its token and the tag API together. */
export const MAX_CONNECTION_TAGS = 64;

/** Longest user id or tag, characters. */
export const MAX_ID_LENGTH = 256;

/** Most streams one `resume` may name: a connection holds its user's, `all` and at most 64 tags. */
export const MAX_RESUME_STREAMS = MAX_CONNECTION_TAGS + 2;


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
  /** The token expired and no valid `token` frame arrived within the refresh grace. */
  TokenExpired: 4003,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
