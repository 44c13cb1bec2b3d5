import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { LinkHealth } from './link-health.ts';
import { resubscribeDelay } from './nats-subscription.ts';

/** What the link is told about the watched streams: they are live, or lost, together. */
export const WATCHED_STREAMS = 'watched streams';

export interface NatsWatchesOptions {
  /** The core subject of a wsgw stream's pushes. */
  subjectOf(stream: string): string;
  /** Every message on any watched subject; it must not throw. */
  handle(msg: Msg): void;
  /**
   * Resolves once a round trip to the server has gone past everything sent before it was called,
   * on the live connection (tried again across a reconnection). Never rejects; pending once closed.
   */
  roundTrip(): Promise<void>;
  /** Told when a watched stream's subscription is lost, and when all hold again. */
  link: LinkHealth;
  logger?: Logger;
}

export interface NatsWatches {
  /** Resolves once the stream's subscription holds on the connection as it is now. */
  watch(stream: string): Promise<void>;
  /** Undoes one watch of the stream. */
  unwatch(stream: string): void;
  /** The connection is made: every stream watched so far is subscribed on it. */
  attach(nc: NatsConnection): void;
  /** The bus is closing: every watched stream's subscription ends, and `ready`s not yet given stay pending. */
  stop(): void;
  /** Whether `stream` is watched now. */
  has(stream: string): boolean;
  /** How many streams are watched now. */
  size(): number;
}

/** One watched stream: its holders, its subscription, and the `ready`s waiting for it. */
interface Watched {
  readonly stream: string;
  readonly subject: string;
  /** `watch` calls holding it: the subscription ends with the last. */
  holders: number;
  /** The current subscription; none before the connection is made, or between a loss and the next try. */
  subscription: Subscription | undefined;
  /** Lost since it last held: the node is not ready while any is. */
  lost: boolean;
  /** Resolvers of the `ready`s of watch calls made since the last confirmation. */
  waiting: (() => void)[];
}

/**
 * One NATS subscription per watched wsgw stream, reference-counted, built to be cheap at 10,000
 * per node. Three rules:
 * 1. Confirmation is batched: every subscription made (or watch call given) since the last round
 *    is confirmed by one round trip, not one each, and `ready` resolves with its round.
 * 2. A subscription the server ends (a permissions change) makes the node unready, under one
 *    health entry for all watched streams, and all the lost ones are subscribed again together
 *    by one timer, backing off while they are refused (nats-subscription.ts's delays).
 * 3. A reconnection needs nothing here: the client sends its subscriptions again by itself, and
 *    a watch made after it is confirmed by a round trip on the new connection.
 */
export function createNatsWatches(options: NatsWatchesOptions): NatsWatches {
  const { link, logger } = options;
  const watched = new Map<string, Watched>();
  /** Watched streams whose subscription (or watch call) the next round confirms. */
  const unconfirmed = new Set<Watched>();
  const lost = new Set<Watched>();
  /** Lost ones waiting for the resubscription timer. */
  const toSubscribe = new Set<Watched>();
  let nc: NatsConnection | undefined;
  let stopped = false;
  let confirming = false;
  let resubscribeTimer: NodeJS.Timeout | undefined;
  /** Resubscription rounds since the watched streams last all held: the backoff. */
  let attempt = 0;

  const current = (entry: Watched) => !stopped && watched.get(entry.stream) === entry;
  /** The connection, while subscriptions can be made on it (not before it is made, nor once it drains). */
  const usable = (): NatsConnection | undefined => (nc && !nc.isClosed() && !nc.isDraining() ? nc : undefined);

  // One callback for every subscription: messages carry their subject, and a closure each would cost 10k.
  const callback = (error: Error | null, msg: Msg) => {
    if (error) return; // the subscription ends; `closed` takes it from there
    try {
      options.handle(msg);
    } catch {
      // `handle` never throws; this only keeps a surprise out of the client's read loop.
    }
  };

  const subscribe = (entry: Watched, connection: NatsConnection) => {
    const subscription = connection.subscribe(entry.subject, { callback });
    entry.subscription = subscription;
    unconfirmed.add(entry);
    void subscription.closed.then((error) => subscriptionClosed(entry, subscription, error));
  };

  const subscriptionClosed = (entry: Watched, subscription: Subscription, error: void | Error) => {
    // Unwatched, replaced, or the whole connection closing: nothing was lost.
    if (!current(entry) || entry.subscription !== subscription || !nc || nc.isClosed()) return;
    entry.subscription = undefined;
    if (!entry.lost) {
      entry.lost = true;
      lost.add(entry);
      if (lost.size === 1) {
        // Once for all: a permissions change ends them all at once. The stream is not named: it is a user's.
        logger?.warn({ bus: 'nats', err: error?.message }, 'bus watched stream subscription lost; subscribing again');
      }
    }
    const why = error instanceof Error ? error.message : 'ended by the server';
    link.subscriptionLost(WATCHED_STREAMS, `NATS subscription to ${lost.size} watched stream(s) lost: ${why}`);
    toSubscribe.add(entry);
    resubscribeLater();
  };

  const resubscribeLater = () => {
    if (resubscribeTimer || stopped) return;
    resubscribeTimer = setTimeout(() => {
      resubscribeTimer = undefined;
      const connection = usable();
      if (stopped || !connection) return;
      attempt += 1;
      for (const entry of toSubscribe) if (current(entry)) subscribe(entry, connection);
      toSubscribe.clear();
      confirmSoon();
    }, resubscribeDelay(attempt));
    resubscribeTimer.unref();
  };

  const held = (entry: Watched) => {
    if (!entry.lost) return;
    entry.lost = false;
    lost.delete(entry);
    if (lost.size === 0) allHeld();
  };

  const allHeld = () => {
    attempt = 0;
    link.subscribed(WATCHED_STREAMS);
    logger?.info({ bus: 'nats' }, 'bus watched stream subscriptions hold again');
  };

  /** One round at a time: what arrives while one is out waits for the next, which follows at once. */
  const confirmSoon = () => {
    if (confirming || stopped || unconfirmed.size === 0) return;
    confirming = true;
    // After the caller's current loop of watches, so that they share the round.
    queueMicrotask(() => void confirmRound().finally(() => {
      confirming = false;
      confirmSoon();
    }));
  };

  const confirmRound = async () => {
    // Only those with a subscription: the others are in the round after they are subscribed. The
    // `ready`s taken are those of watch calls made before the round trip goes out.
    const round: { entry: Watched; subscription: Subscription; waiting: (() => void)[] }[] = [];
    for (const entry of unconfirmed) if (entry.subscription) round.push({ entry, subscription: entry.subscription, waiting: entry.waiting.splice(0) });
    unconfirmed.clear();
    if (round.length === 0) return;
    await options.roundTrip();
    for (const { entry, subscription, waiting } of round) {
      if (!current(entry)) continue;
      // Refused ones were closed by the server's error, which comes before its answer to the round
      // trip: their `ready`s wait for the subscription that holds.
      if (entry.subscription !== subscription || subscription.isClosed()) {
        entry.waiting.push(...waiting);
        continue;
      }
      held(entry);
      for (const resolve of waiting) resolve();
    }
  };

  const unwatch = (entry: Watched) => {
    entry.holders -= 1;
    if (entry.holders > 0 || !current(entry)) return;
    watched.delete(entry.stream);
    unconfirmed.delete(entry);
    toSubscribe.delete(entry);
    entry.waiting = [];
    if (entry.lost) {
      lost.delete(entry);
      if (lost.size === 0) allHeld();
    }
    if (usable()) entry.subscription?.unsubscribe();
  };

  return {
    watch(stream) {
      // Closing: nothing more is subscribed, and this `ready` never comes.
      if (stopped) return new Promise<void>(() => undefined);
      let entry = watched.get(stream);
      if (!entry) {
        entry = { stream, subject: options.subjectOf(stream), holders: 0, subscription: undefined, lost: false, waiting: [] };
        watched.set(stream, entry);
        const connection = usable();
        if (connection) subscribe(entry, connection);
      }
      entry.holders += 1;
      const target = entry;
      // Watched already: confirmed again, for a `ready` that holds on the connection as it is now.
      const ready = new Promise<void>((resolve) => target.waiting.push(resolve));
      unconfirmed.add(target);
      confirmSoon();
      return ready;
    },
    unwatch(stream) {
      const entry = watched.get(stream);
      if (entry && entry.holders > 0) unwatch(entry);
    },
    attach(connection) {
      nc = connection;
      for (const entry of watched.values()) subscribe(entry, connection);
      confirmSoon();
    },
    stop() {
      stopped = true;
      clearTimeout(resubscribeTimer);
      // Ended here rather than drained with the connection: a drain is a round trip per
      // subscription (3.5 s for 50,000), and the node's connections are gone by the time it closes.
      const connection = usable();
      for (const entry of watched.values()) if (connection) entry.subscription?.unsubscribe();
      watched.clear();
    },
    has: (stream) => watched.has(stream),
    size: () => watched.size,
  };
}
