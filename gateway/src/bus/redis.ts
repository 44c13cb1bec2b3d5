import { createClient } from 'redis';
import type { Logger } from 'pino';
import { encodeBusMessage } from './bus-codec.ts';
import { createBusListeners } from './bus-listeners.ts';
import { BusUnavailableError, type Bus, type BusHealth } from './bus.ts';

export interface RedisBusOptions {
  /** e.g. redis://127.0.0.1:6379 */
  url: string;
  /** Channel prefix, so clusters (and test runs) sharing a server do not see each other. */
  prefix: string;
  logger?: Logger;
}

/**
 * The Redis bus: pub/sub on `<prefix>.push`. Pub/sub has no headers, so the trace context travels
 * inside the message. Like the NATS bus it connects in the background, reconnects by itself, and
 * refuses publishes while it is not connected instead of queueing them.
 */
export function createRedisBus(options: RedisBusOptions): Bus {
  const channel = `${options.prefix}.push`;
  const signalChannel = `${options.prefix}.signal`;
  const listeners = createBusListeners(options.logger, channel);
  let health: BusHealth = { connected: false, reason: `connecting to ${options.url}`, reconnects: 0 };
  let everConnected = false;
  let closed = false;
  // Quick, unbounded retries: a gateway outlives a Redis restart without being restarted itself.
  const socket = { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) };
  const publisher = createClient({ url: options.url, socket, disableOfflineQueue: true });
  const subscriber = publisher.duplicate();

  for (const [role, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    // Without an error listener a lost connection would be an uncaught error.
    client.on('error', (error: Error) => {
      health = { ...health, connected: false, reason: `Redis ${role}: ${error.message}` };
    });
    client.on('ready', () => {
      if (!publisher.isReady || !subscriber.isReady || health.connected) return;
      health = { connected: true, reconnects: health.reconnects + (everConnected ? 1 : 0) };
      everConnected = true;
    });
    client.on('ready', () => options.logger?.info({ bus: 'redis', role }, 'bus ready'));
    client.on('end', () => {
      health = { ...health, connected: false, reason: `Redis ${role} connection closed` };
    });
  }

  const start = async () => {
    await publisher.connect();
    await subscriber.connect();
    await subscriber.subscribe(channel, (text) => listeners.push(text));
    await subscriber.subscribe(signalChannel, (text) => listeners.signal(text));
    if (closed) await Promise.allSettled([publisher.close(), subscriber.close()]);
  };
  start().catch((error: unknown) => {
    health = { ...health, connected: false, reason: `Redis: ${error instanceof Error ? error.message : String(error)}` };
  });

  return {
    kind: 'redis',
    async publish(message) {
      if (!health.connected || !publisher.isReady) throw new BusUnavailableError(health.reason ?? 'Redis is not connected');
      try {
        await publisher.publish(channel, encodeBusMessage(message, true));
      } catch (error) {
        throw new BusUnavailableError(`Redis publish failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    subscribe: listeners.onPush,
    async signal(signal) {
      if (!health.connected || !publisher.isReady) throw new BusUnavailableError(health.reason ?? 'Redis is not connected');
      await publisher.publish(signalChannel, JSON.stringify(signal));
    },
    onSignal: listeners.onSignal,
    health: () => health,
    async close() {
      closed = true;
      listeners.clear();
      // Connected clients close gracefully; one still retrying a dead server is stopped outright.
      for (const client of [publisher, subscriber]) {
        if (client.isReady) await client.close().catch(() => client.destroy());
        else if (client.isOpen) client.destroy();
      }
    },
  };
}
