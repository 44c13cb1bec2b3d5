import type { HubObserver } from '../hub/hub-observer.ts';
import type { PushErrorReason, RejectReason } from '../protocol.ts';
import type { NormalizedTarget } from '../push/push-envelope.ts';

/**
 * Everything the gateway reports while it works: the hub's events plus the push API's and the
 * upgrade gate's. Stats (`/api/stats`) and metrics (`/metrics`) both implement it.
 */
export interface GatewayObserver extends HubObserver {
  pushAccepted(target: NormalizedTarget): void;
  pushFailed(reason: PushErrorReason): void;
  connectionRejected(reason: RejectReason): void;
  /** One inbound client frame parsed, validated and handled. */
  messageHandled(durationMs: number): void;
}

const ignore = () => undefined;

/** An observer that ignores everything: spread it and override the events you care about. */
export const ignoringObserver: GatewayObserver = {
  connectionOpened: ignore,
  connectionClosed: ignore,
  fannedOut: ignore,
  framesWritten: ignore,
  dropped: ignore,
  acked: ignore,
  pushAccepted: ignore,
  pushFailed: ignore,
  connectionRejected: ignore,
  messageHandled: ignore,
};

/** One observer that forwards every call to each of `observers`, in order. */
export function combineObservers(...observers: GatewayObserver[]): GatewayObserver {
  return {
    connectionOpened: (c) => observers.forEach((o) => o.connectionOpened(c)),
    connectionClosed: (c, r) => observers.forEach((o) => o.connectionClosed(c, r)),
    fannedOut: (p, n, d) => observers.forEach((o) => o.fannedOut(p, n, d)),
    framesWritten: (p, t) => observers.forEach((o) => o.framesWritten(p, t)),
    dropped: (r, n) => observers.forEach((o) => o.dropped(r, n)),
    acked: (c, id, t, a) => observers.forEach((o) => o.acked(c, id, t, a)),
    pushAccepted: (t) => observers.forEach((o) => o.pushAccepted(t)),
    pushFailed: (r) => observers.forEach((o) => o.pushFailed(r)),
    connectionRejected: (r) => observers.forEach((o) => o.connectionRejected(r)),
    messageHandled: (d) => observers.forEach((o) => o.messageHandled(d)),
  };
}
