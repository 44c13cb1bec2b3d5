import type { Logger } from 'pino';
import type { LinkHealth } from './link-health.ts';

/** The subscriber connection stands for all its channels: it holds them, and loses them, together. */
export const SUBSCRIBER = 'subscriber';

/** A message heard on a channel that is held. Must not throw: it runs in the client's read loop. */
export type ChannelListener = (text: string, channel: string) => void;

/** What the channel set needs of a node-redis client. */
export interface RedisSubscriber {
  readonly isReady: boolean;
  subscribe(channels: string[], listener: (message: string, channel: string) => void): Promise<void>;
  unsubscribe(channels: string[], listener: (message: string, channel: string) => void): Promise<void>;
  on(event: 'ready' | 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The channels of one subscriber connection, each held by whoever needs it. */
export interface RedisSubscriptions {
  /**
   * Holds `channel` until as many `release` calls. Holds are counted: the channel is subscribed
   * from the first to the last, and its messages reach the listener only while one is held. The
   * promise resolves once Redis has confirmed it and the connection is live (or at the release,
   * when that comes first).
   */
  hold(channel: string): Promise<void>;
  /** Undoes one hold of `channel` (nothing when it is not held). */
  release(channel: string): void;
  /** Whether `channel` is held now. */
  holds(channel: string): boolean;
  close(): void;
}

export interface RedisSubscriptionsOptions {
  /** A connection of its own: once subscribed it takes no other commands. */
  subscriber: RedisSubscriber;
  /** Told when the node hears everything it holds, and when it may not. */
  link: LinkHealth;
  listener: ChannelListener;
  logger?: Logger;
}

/** Where Redis stands on a channel, as far as this node has asked it. */
type BrokerState = 'subscribing' | 'subscribed' | 'unsubscribing';

/** Retry of a refused SUBSCRIBE or UNSUBSCRIBE (e.g. an ACL without the channel), ms, doubling. */
const RETRY_MS = 100;
const MAX_RETRY_MS = 2000;

/**
 * Keeps the subscriber connection subscribed to exactly the channels held, whatever happens to it:
 * 1. Holds made in one tick go out as one SUBSCRIBE (and releases as one UNSUBSCRIBE), so 10,000
 *    watches of a node coming up cost one round trip, not 10,000.
 * 2. A command lost with the connection, or refused, is sent again once the connection is ready.
 *    node-redis itself subscribes again, before it is ready, to the channels it had confirmed.
 * 3. After each (re)connection the node is not ready (`SUBSCRIBER` lost) until every channel held
 *    at that moment is subscribed again; a channel held later does not make it unready.
 */
export function createRedisSubscriptions(options: RedisSubscriptionsOptions): RedisSubscriptions {
  const { subscriber, link } = options;
  const holds = new Map<string, number>();
  const broker = new Map<string, BrokerState>();
  const waiting = new Map<string, (() => void)[]>();
  /** Channels whose hold or broker state changed since the last flush: all it needs to look at. */
  const dirty = new Set<string>();
  /** Channels to subscribe to again before the node is ready; undefined until the connection is. */
  let owed: Set<string> | undefined;
  let recovering = true;
  let scheduled = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let closed = false;
  link.subscriptionLost(SUBSCRIBER, 'Redis: not subscribed yet');

  // One function for every channel: node-redis keeps listeners per channel by identity.
  const heard = (text: string, channel: string) => {
    if (holds.has(channel)) options.listener(text, channel);
  };

  const awaitSubscribed = (channel: string, resolve: () => void) => {
    const resolvers = waiting.get(channel);
    if (resolvers) resolvers.push(resolve);
    else waiting.set(channel, [resolve]);
  };

  const wake = (channel: string) => {
    const resolvers = waiting.get(channel);
    waiting.delete(channel);
    for (const resolve of resolvers ?? []) resolve();
  };

  /** A channel no longer owed: subscribed, or released. */
  const paid = (channel: string) => {
    owed?.delete(channel);
    settleRecovery();
  };
  const settleRecovery = () => {
    if (!recovering || owed === undefined || owed.size > 0) return;
    recovering = false;
    owed = undefined;
    link.subscribed(SUBSCRIBER);
  };

  const retry = (error: unknown) => {
    if (closed || retryTimer) return;
    const delay = Math.min(RETRY_MS * 2 ** attempt, MAX_RETRY_MS);
    attempt += 1;
    options.logger?.debug({ bus: 'redis', error: error instanceof Error ? error.message : String(error), delay }, 'subscription change not taken, retrying');
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      flush();
    }, delay);
    retryTimer.unref();
  };

  const subscribe = (channels: string[]) => {
    for (const channel of channels) broker.set(channel, 'subscribing');
    subscriber.subscribe(channels, heard).then(
      () => {
        attempt = 0;
        for (const channel of channels) {
          broker.set(channel, 'subscribed');
          wake(channel);
          // Released meanwhile: to be unsubscribed.
          if (!holds.has(channel)) changed(channel);
          paid(channel);
        }
      },
      (error: unknown) => {
        for (const channel of channels) {
          broker.delete(channel);
          dirty.add(channel);
        }
        retry(error);
      },
    );
  };

  const unsubscribe = (channels: string[]) => {
    for (const channel of channels) broker.set(channel, 'unsubscribing');
    subscriber.unsubscribe(channels, heard).then(
      () => {
        for (const channel of channels) {
          broker.delete(channel);
          // Held again meanwhile: to be subscribed again.
          if (holds.has(channel)) changed(channel);
        }
      },
      // node-redis keeps a channel whose UNSUBSCRIBE failed, and subscribes to it again on reconnection.
      (error: unknown) => {
        for (const channel of channels) {
          broker.set(channel, 'subscribed');
          dirty.add(channel);
        }
        retry(error);
      },
    );
  };

  /** Brings Redis to the channels held: what is held and not asked for, what is released and still subscribed. */
  const flush = () => {
    scheduled = false;
    // Commands sent while the connection is down would only fail; its `ready` flushes again.
    if (closed || !subscriber.isReady) return;
    const wanted: string[] = [];
    const unwanted: string[] = [];
    // A channel on its way (subscribing, unsubscribing) is looked at again when it gets there.
    for (const channel of dirty) {
      if (holds.has(channel) && !broker.has(channel)) wanted.push(channel);
      else if (!holds.has(channel) && broker.get(channel) === 'subscribed') unwanted.push(channel);
    }
    dirty.clear();
    if (wanted.length > 0) subscribe(wanted);
    if (unwanted.length > 0) unsubscribe(unwanted);
  };

  const changed = (channel: string) => {
    dirty.add(channel);
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(flush);
  };

  const lost = (reason: string) => {
    recovering = true;
    owed = undefined;
    link.subscriptionLost(SUBSCRIBER, reason);
  };
  subscriber.on('error', (error: Error) => lost(`Redis subscriber: ${error.message}`));
  subscriber.on('end', () => lost('Redis subscriber connection closed'));
  subscriber.on('ready', () => {
    if (recovering) {
      owed = new Set([...holds.keys()].filter((channel) => broker.get(channel) !== 'subscribed'));
      if (owed.size > 0) link.subscriptionLost(SUBSCRIBER, `Redis: subscribing to ${owed.size} channels`);
    }
    attempt = 0;
    clearTimeout(retryTimer);
    retryTimer = undefined;
    flush();
    settleRecovery();
  });

  const release = (channel: string) => {
    const count = (holds.get(channel) ?? 1) - 1;
    if (count > 0) return void holds.set(channel, count);
    holds.delete(channel);
    // Whoever waited on it has let go of it: nothing is owed to them.
    wake(channel);
    changed(channel);
    paid(channel);
  };

  return {
    hold(channel) {
      const count = (holds.get(channel) ?? 0) + 1;
      holds.set(channel, count);
      const confirmed = broker.get(channel) === 'subscribed' ? Promise.resolve() : new Promise<void>((resolve) => awaitSubscribed(channel, resolve));
      // A channel on its way is looked at again when it gets there; a later hold has nothing to add.
      if (count === 1 && !broker.has(channel)) changed(channel);
      // Released before confirmed: it resolves at the release rather than never.
      return confirmed.then(() => (holds.has(channel) ? link.whenLive(SUBSCRIBER) : undefined));
    },
    release(channel) {
      if (holds.has(channel)) release(channel);
    },
    holds: (channel) => holds.has(channel),
    close() {
      closed = true;
      clearTimeout(retryTimer);
    },
  };
}
