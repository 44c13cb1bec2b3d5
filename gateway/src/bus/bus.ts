import type { PushEnvelope } from '../push/push-envelope.ts';

/** What nodes tell each other: a push accepted by `origin`, for every other node to deliver. */
export interface BusMessage {
  origin: string;
  push: PushEnvelope;
  /** Propagation headers (trace context) carried beside the push. */
  headers: Record<string, string>;
}

export type BusHandler = (message: BusMessage) => void;

/**
 * How gateway nodes reach each other. The wiring point (server.ts) picks the implementation;
 * nothing else knows which one runs.
 */
export interface Bus {
  readonly kind: string;
  publish(message: BusMessage): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(handler: BusHandler): () => void;
  close(): Promise<void>;
}
