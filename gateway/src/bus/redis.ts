import { createClient } from 'redis';
import type { Logger } from 'pino';
import { createBusListeners } from './bus-listeners.ts';
import { createLinkHealth } from './link-health.ts';
import { withoutCredentials } from './bus-url.ts';
import { BusUnavailableError, busSubscription, type Bus, type HistoryLimits } from './bus.ts';
import { DEFAULT_HISTORY_LIMITS } from './memory-history.ts';
import { redisChannels } from './redis-channels.ts';
import { createRedisInbox } from './redis-inbox.ts';
import { createRedisHistory } from './redis-history.ts';
import { createRedisSubscriptions, SUBSCRIBER } from './redis-subscriptions.ts';

export interface RedisBusOptions {
  /** e.g. redis://127.0.0.1:6379 */
  url: string;
  /** Channel prefix, so clusters (and test runs) sharing a server do not see each other. */
  prefix: string;
  /** The node's id, for the signals sent to it alone. */
  nodeId?: string;
  logger?: Logger;
  /** What each stream keeps (`WSGW_HISTORY_*`); `maxBytes` is not applied (Redis has its own `maxmemory`). */
  history?: HistoryLimits;
}

/**
 * The Redis bus: pub/sub on a channel per stream (`<prefix>.s.<stream>`), each push stored first
 * in Redis streams, in the same script that publishes it on each of its streams' channels, or for a
 * push to many streams once on `<prefix>.push` (redis-history.ts, redis-history-scripts.ts). A node
 * subscribes to the channels of the streams it watches (redis-subscriptions.ts), to
 * `<prefix>.push`, to `<prefix>.signal` and, with a node id, to its own signal channel
 * (redis-inbox.ts).
 * Pub/sub has no headers, so the trace context travels inside the message. Like the NATS bus it
 * connects in the background, reconnects by itself, and refuses publishes while it is not
 * connected instead of queueing them. While the subscriber connection is down, or has not yet
 * subscribed again to every channel it held, the node is not ready.
 */
export function createRedisBus(options: RedisBusOptions): Bus {
  const channels = redisChannels(options.prefix);
  const listeners = createBusListeners(options.logger, `${options.prefix}.s`);
  const link = createLinkHealth(`connecting to ${withoutCredentials(options.url)}`);
  let closed = false;
  // Quick, unbounded retries: a gateway outlives a Redis restart without being restarted itself.
  const socket = { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) };
  const publisher = createClient({ url: options.url, socket, disableOfflineQueue: true });
  const subscriber = publisher.duplicate();

  // Without an error listener a lost connection would be an uncaught error (the subscriber's are
  // the subscriptions').
  publisher.on('error', (error: Error) => link.down(`Redis publisher: ${error.message}`));
  publisher.on('end', () => link.down('Redis publisher connection closed'));
  publisher.on('ready', () => link.up());
  for (const [role, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    client.on('ready', () => options.logger?.info({ bus: 'redis', role }, 'bus ready'));
  }

  const inbox = createRedisInbox({ channels, nodeId: options.nodeId, listeners, watches: (stream) => subscriptions.holds(channels.stream(stream)) });
  const subscriptions = createRedisSubscriptions({ subscriber, link, listener: inbox.hear, logger: options.logger });
  for (const channel of inbox.standing) subscriptions.hold(channel);

  const start = async () => {
    await publisher.connect();
    await subscriber.connect();
  };
  start()
    .catch((error: unknown) => link.down(`Redis: ${error instanceof Error ? error.message : String(error)}`))
    .finally(() => closed && Promise.allSettled([publisher.close(), subscriber.close()]));

  const refuseUnlessConnected = () => {
    if (!link.canPublish() || !publisher.isReady) throw new BusUnavailableError(link.health().reason ?? 'Redis is not connected');
  };
  const history = createRedisHistory({
    client: publisher,
    prefix: options.prefix,
    channelOf: channels.stream,
    fanOut: channels.fanOut,
    limits: options.history ?? DEFAULT_HISTORY_LIMITS,
    refuseUnlessConnected,
    dropInvalid: listeners.invalid,
    logger: options.logger,
  });

  return {
    kind: 'redis',
    // One script stores the push in its streams and publishes it: positions follow delivery order.
    publish: (message) => history.append(message),
    history,
    subscribe: (handler) => busSubscription(listeners.onPush(handler), link.whenLive(SUBSCRIBER)),
    watch: (stream) => subscriptions.hold(channels.stream(stream)),
    unwatch: (stream) => subscriptions.release(channels.stream(stream)),
    async signal(signal, to) {
      refuseUnlessConnected();
      await publisher.publish(to === undefined ? channels.signal : channels.signalTo(to), JSON.stringify(signal));
    },
    onSignal: (subscription) => busSubscription(listeners.onSignal(subscription), link.whenLive(SUBSCRIBER)),
    health: link.health,
    invalidMessages: listeners.invalidMessages,
    async close() {
      closed = true;
      subscriptions.close();
      history.stop();
      listeners.clear();
      // Connected clients close gracefully; one still retrying a dead server is stopped outright.
      for (const client of [publisher, subscriber]) {
        if (client.isReady) await client.close().catch(() => client.destroy());
        else if (client.isOpen) client.destroy();
      }
    },
  };
}
