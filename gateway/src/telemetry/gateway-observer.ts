import type { HubObserver } from '../hub/hub-observer.ts';
import type { BusMessage } from '../bus/bus.ts';
import type { Connection } from '../hub/connection.ts';
import type { PushErrorReason, RejectReason, ResumeResult, TokenRenewalResult } from '../protocol.ts';
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
  /** The bus handed this node a push (its own included): one per push per node that watches its streams. */
  busPushReceived(): void;
  /** A push published by another node arrived here, `lagMs` after it was handed to the bus. */
  remotePushReceived(lagMs: number): void;
  /** A connection's resume was replayed and answered. */
  resumed(report: ResumeReport): void;
  /** A connection's token expired: it was sent `refresh`. */
  refreshRequested(): void;
  /** A `token` frame was answered. */
  tokenRenewed(result: TokenRenewalResult): void;
}

/** How one `resume` went: per stream it named that the connection holds, and what was replayed. */
export interface ResumeReport {
  connection: Connection;
  results: Array<{ stream: string; result: ResumeResult; replayed: number }>;
  /** The pushes written, in order, each once. */
  replayed: readonly BusMessage[];
  /** Epoch ms: the resume frame handled → the replay written and `resumed` sent. */
  startedAt: number;
  endedAt: number;
}

const ignore = () => undefined;

/** An observer that ignores everything: spread it and override the events you care about. */
export const ignoringObserver: GatewayObserver = {
  connectionOpened: ignore,
  connectionClosed: ignore,
  fannedOut: ignore,
  sampledDelivery: ignore,
  framesWritten: ignore,
  dropped: ignore,
  tagsChanged: ignore,
  acked: ignore,
  pushAccepted: ignore,
  pushFailed: ignore,
  connectionRejected: ignore,
  messageHandled: ignore,
  busPushReceived: ignore,
  remotePushReceived: ignore,
  resumed: ignore,
  refreshRequested: ignore,
  tokenRenewed: ignore,
};

type Event = keyof GatewayObserver;
type Arity = Parameters<GatewayObserver[Event]>['length'];
// Every event takes at most four arguments (an event taking more makes this `never`, and the
// combining below fails to compile): a combined event forwards them as four, sparing the fan-out
// path an argument array per call.
type Handler = Arity extends 0 | 1 | 2 | 3 | 4 ? (a?: unknown, b?: unknown, c?: unknown, d?: unknown) => void : never;

/**
 * One observer that forwards every call to each of `observers`, in order. Handlers that ignore an
 * event are left out, so an event nobody listens to costs nothing on the fan-out path.
 */
export function combineObservers(...observers: GatewayObserver[]): GatewayObserver {
  const combined: Partial<Record<Event, Handler>> = {};
  for (const event of Object.keys(ignoringObserver) as Event[]) {
    const handlers = observers
      .filter((observer) => observer[event] !== ignore)
      .map((observer) => (observer[event] as Handler).bind(observer));
    const [first, second] = handlers;
    combined[event] =
      handlers.length === 0
        ? ignore
        : handlers.length === 1
          ? first!
          : handlers.length === 2
            ? (a, b, c, d) => {
                first!(a, b, c, d);
                second!(a, b, c, d);
              }
            : (a, b, c, d) => {
                for (const handler of handlers) handler(a, b, c, d);
              };
  }
  return combined as unknown as GatewayObserver;
}
