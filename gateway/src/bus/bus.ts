import type { PushEnvelope } from '../push/push-envelope.ts';
import type { BusMessageKind, ResumeResult, StreamPosition } from '../protocol.ts';

/** A push's position in each stream it was appended to (`u:<user>`, `t:<tag>`, `all`). */
export type StreamPositions = Record<string, StreamPosition>;

/** What a node hands the bus: a push it accepted, for every other node to deliver. */
export interface OutgoingMessage {
  origin: string;
  push: PushEnvelope;
  /** Propagation headers (trace context) carried beside the push. */
  headers: Record<string, string>;
}

/** What a node hears from the bus: a push accepted by `origin`, with the positions the bus gave it. */
export interface BusMessage extends OutgoingMessage {
  /** One per stream the push targets (`streamsOfTarget`); empty on a bus without history. */
  positions: StreamPositions;
}

/** One push a stream holds: its position there and the message as subscribers heard it. */
export interface HistoryEntry {
  seq: number;
  message: BusMessage;
}

/**
 * What a stream holds after a client's position: every push after it, oldest first, when
 * `result` is `recovered`; what is still held after it when some were lost (`gap`); nothing
 * when the client's epoch is not the stream's (`unknown_epoch`). `position` is where the stream
 * stands now.
 */
export interface HistoryRead {
  result: ResumeResult;
  entries: HistoryEntry[];
  position: StreamPosition;
}

/** How much history is held: by this node (memory), or by the broker for the cluster's prefix. */
export interface HistorySize {
  streams: number;
  messages: number;
  bytes: number;
}

/**
 * The streams' recent pushes, kept by the bus so that any node can replay what any node delivered.
 * Each stream holds its last `size` pushes within `ttlMs` (`WSGW_HISTORY_SIZE`, `WSGW_HISTORY_TTL`).
 */
export interface StreamHistory {
  /** Where each stream stands (seq 0 for one nothing was appended to). Throws `BusUnavailableError` when the bus cannot tell. */
  positions(streams: readonly string[]): Promise<StreamPositions>;
  /** The pushes `stream` holds after `after`. Throws `BusUnavailableError` when the bus cannot tell. */
  read(stream: string, after: StreamPosition): Promise<HistoryRead>;
  /** What is held, as of the last look (brokers are asked in the background). */
  size(): HistorySize;
}

/** How much each stream keeps: the bus options of every implementation. */
export interface HistoryLimits {
  /** Pushes kept per stream (0: none, and positions are still given). */
  size: number;
  /** How long a push is kept, ms. */
  ttlMs: number;
  /** Most bytes a node's memory bus keeps across all streams; the oldest go first. */
  maxBytes: number;
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
  /**
   * Appends the push to each stream it targets, then hands it, with those positions, to the
   * `subscribe` handlers of every node that watches one of those streams (this node's included),
   * once per node however many of them it watches, in position order per stream for pushes
   * published through the same node. Resolves with the positions once the push is stored.
   */
  publish(message: OutgoingMessage): Promise<StreamPositions>;
  readonly history: StreamHistory;
  /** Returns the unsubscribe function, whose `ready` resolves once the broker has confirmed the subscription. */
  subscribe(handler: BusHandler): BusSubscription;
  /**
   * Routes the pushes appended to `stream` to this node from the moment the returned promise
   * resolves (it never rejects; it stays pending on a bus closed before that) until as many
   * `unwatch` calls have undone the watches. A node hears only the pushes of the streams it
   * watches; stream-interest.ts watches each stream its connections hold, once. A pair of calls,
   * not a handle per watch: a node with 10k users holds 10k watches.
   */
  watch(stream: string): Promise<void>;
  /** Undoes one `watch` of `stream` (nothing when it is not watched). */
  unwatch(stream: string): void;
  /**
   * Sends a signal to every node (the sender's own handlers included), or with `to` only to that
   * node (a bus made without a node id hears only signals sent to every node).
   */
  signal(signal: BusSignal, to?: string): Promise<void>;
  /** Listens to one topic; a body its parser refuses is dropped and counted. Returns as `subscribe` does. */
  onSignal<T>(subscription: SignalSubscription<T>): BusSubscription;
  health(): BusHealth;
  /** Messages from the broker dropped as unusable since start, by kind. */
  invalidMessages(): Readonly<Record<BusMessageKind, number>>;
  close(): Promise<void>;
}

/**
 * The history of a bus that keeps none yet: positions are not given, and a resume is answered
 * `recovered: false` for every stream, so no client believes it missed nothing.
 */
export function historyNotKept(kind: string): StreamHistory {
  const refuse = async (): Promise<never> => {
    throw new BusUnavailableError(`the ${kind} bus keeps no stream history`);
  };
  return { positions: refuse, read: refuse, size: () => ({ streams: 0, messages: 0, bytes: 0 }) };
}
