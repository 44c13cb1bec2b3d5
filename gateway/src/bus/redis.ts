import { createClient } from 'redis';
import type { Logger } from 'pino';
import { createBusListeners } from './bus-listeners.ts';
import { createLinkHealth } from './link-health.ts';
import { BusUnavailableError, busSubscription, type Bus, type HistoryLimits } from './bus.ts';
import { DEFAULT_HISTORY_LIMITS } from './memory-history.ts';
import { createRedisHistory } from './redis-history.ts';

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

/** The subscriber connection stands for both channels: it holds them, and loses them, together. */
const SUBSCRIBER = 'subscriber';

/**
 * The Redis bus: pub/sub on `<prefix>.push`, each push stored first in Redis streams, in the same
 * script that publishes it (redis-history.ts). Pub/sub has no headers, so the trace context travels
 * inside the message. Like the NATS bus it connects in the background, reconnects by itself, and
 * refuses publishes while it is not connected instead of queueing them. While the subscriber
 * connection is down the node hears nothing, so it is not ready; the client subscribes again when
 * it reconnects.
 */
export function createRedisBus(options: RedisBusOptions): Bus {
  const channel = `${options.prefix}.push`;
  const signalChannel = `${options.prefix}.signal`;
  const listeners = createBusListeners(options.logger, channel);
  const link = createLinkHealth(`connecting to ${options.url}`);
  link.subscriptionLost(SUBSCRIBER, 'Redis: not subscribed yet');
  let subscribedOnce = false;
  let closed = false;
  // Quick, unbounded retries: a gateway outlives a Redis restart without being restarted itself.
  const socket = { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) };
  const publisher = createClient({ url: options.url, socket, disableOfflineQueue: true });
  const subscriber = publisher.duplicate();

  // Without an error listener a lost connection would be an uncaught error.
  publisher.on('error', (error: Error) => link.down(`Redis publisher: ${error.message}`));
  publisher.on('end', () => link.down('Redis publisher connection closed'));
  publisher.on('ready', () => link.up());
  subscriber.on('error', (error: Error) => link.subscriptionLost(SUBSCRIBER, `Redis subscriber: ${error.message}`));
  subscriber.on('end', () => link.subscriptionLost(SUBSCRIBER, 'Redis subscriber connection closed'));
  // On a reconnection the client has subscribed again before it is ready.
  subscriber.on('ready', () => subscribedOnce && link.subscribed(SUBSCRIBER));
  for (const [role, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    client.on('ready', () => options.logger?.info({ bus: 'redis', role }, 'bus ready'));
  }

  const subscribe = async () => {
    await subscriber.subscribe(channel, (text) => listeners.push(text));
    await subscriber.subscribe(signalChannel, (text) => listeners.signal(text));
    subscribedOnce = true;
    link.subscribed(SUBSCRIBER);
  };
  const start = async () => {
    await publisher.connect();
    await subscriber.connect();
    // A subscribe lost with its connection is not remembered by the client: try until one holds.
    for (let attempt = 0; !closed; attempt += 1) {
      try {
        return await subscribe();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2000)));
      }
    }
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
    channel,
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
    // Every node hears every push on the one push subject for now: watching routes nothing yet.
    watch: () => busSubscription(() => undefined, Promise.resolve()),
    async signal(signal) {
      refuseUnlessConnected();
      await publisher.publish(signalChannel, JSON.stringify(signal));
    },
    onSignal: (subscription) => busSubscription(listeners.onSignal(subscription), link.whenLive(SUBSCRIBER)),
    health: link.health,
    invalidMessages: listeners.invalidMessages,
    async close() {
      closed = true;
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
