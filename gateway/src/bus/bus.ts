import type { PushEnvelope } from '../push/push-envelope.ts';

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

export type SignalHandler = (signal: BusSignal) => void;

/** Whether the bus can take pushes now, and why not. */
export interface BusHealth {
  connected: boolean;
  reason?: string;
  /** Times the bus connection came back after being lost. */
  reconnects: number;
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
  /** Returns the unsubscribe function. */
  subscribe(handler: BusHandler): () => void;
  /** Sends a signal to every node (the sender's own handlers included). */
  signal(signal: BusSignal): Promise<void>;
  onSignal(handler: SignalHandler): () => void;
  health(): BusHealth;
  close(): Promise<void>;
}
