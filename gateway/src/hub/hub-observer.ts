import type { CloseReason, DropReason } from '../protocol.ts';
import type { PushEnvelope } from '../push/push-envelope.ts';
import type { Connection } from './connection.ts';
import type { PreparedPush } from './prepared-push.ts';

/**
 * What the hub reports as it works. Stats and telemetry implement it; every call is made once
 * per event or once per fan-out round (never once per delivery), so it stays cheap at 10k sockets.
 */
export interface HubObserver {
  connectionOpened(connection: Connection): void;
  connectionClosed(connection: Connection, reason: CloseReason): void;
  /** One push resolved and queued on this node. */
  fannedOut(push: PushEnvelope, recipients: number, durationMs: number): void;
  /** A coalesced write round finished; each push's `written` says how many sockets got it. */
  framesWritten(pushes: readonly PreparedPush[], writtenAt: number): void;
  dropped(reason: DropReason, count: number): void;
  /** `latencyMs` is push accepted → ack received, when the push is still remembered. */
  acked(connection: Connection, pushId: string, latencyMs: number | undefined): void;
}

/** Fans each observation out to several observers (stats plus telemetry, say). */
export function combineObservers(...observers: HubObserver[]): HubObserver {
  return {
    connectionOpened: (c) => observers.forEach((o) => o.connectionOpened(c)),
    connectionClosed: (c, r) => observers.forEach((o) => o.connectionClosed(c, r)),
    fannedOut: (p, n, d) => observers.forEach((o) => o.fannedOut(p, n, d)),
    framesWritten: (p, t) => observers.forEach((o) => o.framesWritten(p, t)),
    dropped: (r, n) => observers.forEach((o) => o.dropped(r, n)),
    acked: (c, id, l) => observers.forEach((o) => o.acked(c, id, l)),
  };
}
