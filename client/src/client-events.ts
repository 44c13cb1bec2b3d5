import type { JsonValue, StreamRecovery, WelcomeFrame } from '@wsgw/gateway/protocol';
import type { DisconnectReason } from './disconnect-reason.ts';

/** A push as the application receives it. */
export interface WsgwPush {
  id: string;
  /** Epoch milliseconds when the gateway accepted the push. */
  ts: number;
  data: JsonValue;
  /** Its position in each of the connection's streams it was appended to; absent when the bus could not append it. */
  pos?: Record<string, number>;
  /** W3C traceparent of the push, when the gateway runs with `WSGW_TRACE_CLIENTS=true`; see `parseTraceparent`. */
  trace?: string;
  /**
   * Acknowledges the push on the connection it arrived on; false when that connection is gone.
   * Needed only with `autoAck: false`; a second call sends nothing.
   */
  ack(): boolean;
}

/** A stream the gateway could not bring up to date: the application must resynchronise it with its backend. */
export type LostStream = Extract<StreamRecovery, { recovered: false }>;

/** The outcome of a resume, once the missed pushes that were still held have been delivered. */
export interface ResumedEvent {
  /** The streams with `recovered: false`, empty when every stream was recovered. */
  lost: Record<string, LostStream>;
  /** Every stream of the resume that belongs to the connection. */
  streams: Record<string, StreamRecovery>;
}

/** The connection's tags changed on the server's side (a `tags` frame). */
export interface TagsEvent {
  /** Every tag the connection holds now. */
  tags: string[];
  /** The streams it holds from now on (`t:<tag>`), resumed from where they stood when it started receiving them. */
  added: string[];
  /** The streams it no longer holds; they are no longer resumed. */
  removed: string[];
}

export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A change of the client's state, with why it happened. */
export type StateChange =
  /** A socket is being opened: `retry` 0 the very first time, then the retry's number since the last connection that opened. */
  | { state: 'connecting'; retry: number }
  /** The gateway's welcome arrived. */
  | { state: 'open'; welcome: WelcomeFrame }
  /** The connection ended or an attempt failed; retry number `retry` starts after `delayMs`. */
  | { state: 'reconnecting'; reason: DisconnectReason; retry: number; delayMs: number }
  /** The client stopped for good. */
  | { state: 'closed'; reason: DisconnectReason };

export interface WsgwClientEvents {
  push: WsgwPush;
  resumed: ResumedEvent;
  tags: TagsEvent;
  state: StateChange;
  /** An error frame from the gateway, a frame the client could not read, a failing token provider, or a listener that threw. */
  error: Error;
}
