import type { PushEnvelope } from '../push/push-envelope.ts';
import type { BusMessageKind } from '../protocol.ts';

/** What nodes tell each other: a push accepted by `origin`, for every other node to deliver. */
export interface BusMessage {
  origin: string;
  push: PushEnvelope;
  /** Propagation headers (trace context) carried beside the push. */
  headers: Record<string, string>;
}

export type BusHandler = (message: BusMessage) => void;

/** Small messages nodes exchange about themselves (announcements, delivery receipts). */
export interface BusSignal {
  origin: string;
  topic: string;
  body: unknown;
}

/** Checks a signal body from another node: the value to use, or why it is unusable. */
export type SignalBodyParser<T> = (body: unknown) => { ok: true; value: T } | { ok: false; error: string };

/** A listener for one topic: `handle` only ever sees bodies that `parse` accepted. */
export interface SignalSubscription<T> {
  topic: string;
  parse: SignalBodyParser<T>;
  handle(origin: string, body: T): void;
}

/**
 * What a bus drops as unusable, the label values of `wsgw_bus_invalid_messages_total{kind}`:
 * `push` a push message, `signal` a signal (its envelope or its topic's body). Listed once, in the protocol.
 */
export { BUS_MESSAGE_KINDS, type BusMessageKind } from '../protocol.ts';

/**
 * What `subscribe` and `onSignal` return: call it to unsubscribe. Handlers are registered at once;
 * `ready` tells when the broker carries messages to them.
 */
export interface BusSubscription {
  (): void;
  /**
   * Resolves once the broker has confirmed the subscription, so a message published after it
   * reaches the handler: at once on memory; on NATS once a round trip has gone past the
   * subscription, on Redis once SUBSCRIBE is acknowledged (after a loss, once it holds again).
   * Never rejects: it stays pending on a bus closed before that.
   */
  readonly ready: Promise<void>;
}

/** A subscription made of its unsubscribe function and the promise of its confirmation. */
export function busSubscription(unsubscribe: () => void, ready: Promise<void>): BusSubscription {
  return Object.assign(() => unsubscribe(), { ready });
}

/** Whether the bus can take pushes now, and why not. */
export interface BusHealth {
  /** True while the bus is connected and every subscription of this node is live. */
  connected: boolean;
  reason?: string;
  /** Times the bus connection came back after being lost. */
  reconnects: number;
  /**
   * Epoch ms since which the bus has been connected with every subscription live (while
   * `connected`). Absent for a bus that has no connection to make (memory).
   */
  connectedSince?: number;
}

/** Raised by `publish` when the bus cannot take the push (the API answers 503). */
export class BusUnavailableError extends Error {
  override name = 'BusUnavailableError';
}

/**
 * A push delivered to this node's connections that the bus could not take for the other nodes.
 * The API answers 503 with the local count; a retry under the same id only publishes.
 */
export class PushNotPublishedError extends BusUnavailableError {
  override name = 'PushNotPublishedError';
  constructor(
    message: string,
    readonly id: string,
    readonly localRecipients: number,
  ) {
    super(message);
  }
}

/**
 * How gateway nodes reach each other. The wiring point (server.ts) picks the implementation;
 * nothing else knows which one runs.
 */
export interface Bus {
  readonly kind: string;
  publish(message: BusMessage): Promise<void>;
  /** Returns the unsubscribe function, whose `ready` resolves once the broker has confirmed the subscription. */
  subscribe(handler: BusHandler): BusSubscription;
  /** Sends a signal to every node (the sender's own handlers included). */
  signal(signal: BusSignal): Promise<void>;
  /** Listens to one topic; a body its parser refuses is dropped and counted. Returns as `subscribe` does. */
  onSignal<T>(subscription: SignalSubscription<T>): BusSubscription;
  health(): BusHealth;
  /** Messages from the broker dropped as unusable since start, by kind. */
  invalidMessages(): Readonly<Record<BusMessageKind, number>>;
  close(): Promise<void>;
}
