import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { encodeBusMessage } from './bus-codec.ts';
import { createBusListeners } from './bus-listeners.ts';
import { BusUnavailableError, type Bus, type BusHealth } from './bus.ts';

export interface NatsBusOptions {
  /** e.g. nats://127.0.0.1:4222 */
  url: string;
  /** Subject prefix, so clusters (and test runs) sharing a server do not see each other. */
  prefix: string;
  name: string;
  logger?: Logger;
}

/**
 * The NATS bus: pushes on `<prefix>.push`, trace context in NATS headers. It never blocks start-up:
 * it keeps connecting in the background, says so in `health()`, and refuses publishes until it
 * is connected, so the API can answer 503 instead of queueing pushes nobody may ever receive.
 */
export function createNatsBus(options: NatsBusOptions): Bus {
  const subject = `${options.prefix}.push`;
  const signalSubject = `${options.prefix}.signal`;
  const listeners = createBusListeners(options.logger, subject);
  let connection: NatsConnection | undefined;
  let health: BusHealth = { connected: false, reason: `connecting to ${options.url}`, reconnects: 0 };
  let closed = false;

  const watch = async (nc: NatsConnection) => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') health = { ...health, connected: false, reason: `NATS connection lost (${options.url})` };
      else if (status.type === 'reconnect') health = { connected: true, reconnects: health.reconnects + 1 };
      options.logger?.info({ bus: 'nats', status: status.type }, 'bus status');
    }
  };

  connect({
    servers: options.url,
    name: options.name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  }).then(
    (nc) => {
      if (closed) return void nc.close();
      connection = nc;
      health = { connected: true, reconnects: 0 };
      nc.subscribe(subject, {
        callback: (error, msg) => {
          if (error) return void options.logger?.warn({ err: error.message }, 'bus subscription error');
          const headers: Record<string, string> = {};
          for (const [key, values] of msg.headers ?? []) if (values[0] !== undefined) headers[key] = values[0];
          listeners.push(msg.string(), headers);
        },
      });
      nc.subscribe(signalSubject, {
        callback: (error, msg) => {
          if (!error) listeners.signal(msg.string());
        },
      });
      void watch(nc);
    },
    (error: unknown) => {
      health = { ...health, connected: false, reason: `NATS: ${error instanceof Error ? error.message : String(error)}` };
    },
  );

  return {
    kind: 'nats',
    async publish(message) {
      if (!connection || !health.connected) throw new BusUnavailableError(health.reason ?? 'NATS is not connected');
      const headers = natsHeaders();
      for (const [key, value] of Object.entries(message.headers)) headers.set(key, value);
      connection.publish(subject, encodeBusMessage({ ...message, headers: {} }, false), { headers });
    },
    subscribe: listeners.onPush,
    async signal(signal) {
      if (!connection || !health.connected) throw new BusUnavailableError(health.reason ?? 'NATS is not connected');
      connection.publish(signalSubject, JSON.stringify(signal));
    },
    onSignal: listeners.onSignal,
    health: () => health,
    async close() {
      closed = true;
      listeners.clear();
      // Still connecting: the attempt closes the connection itself once it succeeds.
      if (connection && !connection.isClosed()) await connection.drain().catch(() => connection?.close());
    },
  };
}
