import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type Msg, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { encodeBusMessage } from './bus-codec.ts';
import { createBusListeners } from './bus-listeners.ts';
import { createLinkHealth, type LinkHealth } from './link-health.ts';
import { createNatsHistory } from './nats-history.ts';
import { keepNatsSubscription, resubscribeDelay } from './nats-subscription.ts';
import { BusUnavailableError, busSubscription, type Bus, type HistoryLimits } from './bus.ts';
import { DEFAULT_HISTORY_LIMITS } from './memory-history.ts';

export interface NatsBusOptions {
  /** e.g. nats://127.0.0.1:4222 */
  url: string;
  /** Subject prefix, so clusters (and test runs) sharing a server do not see each other. */
  prefix: string;
  name: string;
  /** The node's id, for the signals sent to it alone. */
  nodeId?: string;
  logger?: Logger;
  /** What each stream keeps (`WSGW_HISTORY_*`); `maxBytes` bounds the prefix's pushes on the server. */
  history?: HistoryLimits;
}

/** Longest wait for a drain on close, ms: shutdown goes on without it after that. */
const DRAIN_TIMEOUT_MS = 2000;
/** Longest wait for a JetStream answer, ms: past it the operation fails as the bus being unavailable. */
const JETSTREAM_TIMEOUT_MS = 3000;

/**
 * The NATS bus: pushes on `<prefix>.push`, trace context in NATS headers, each push first appended
 * to its streams' history in JetStream (nats-history.ts). It never blocks start-up:
 * it keeps connecting in the background, says so in `health()`, and refuses publishes until it
 * is connected, so the API can answer 503 instead of queueing pushes nobody may ever receive.
 * A subscription the server ends makes the node unready until it is made again, which the bus
 * retries by itself (nats-subscription.ts).
 */
export function createNatsBus(options: NatsBusOptions): Bus {
  const subject = `${options.prefix}.push`;
  const signalSubject = `${options.prefix}.signal`;
  const listeners = createBusListeners(options.logger, subject);
  const link = createLinkHealth(`connecting to ${options.url}`);
  let connection: NatsConnection | undefined;
  let jetStream: { js: JetStreamClient; jsm: JetStreamManager } | undefined;
  let closed = false;
  /** Settles once this node's latest publish has gone out on the push subject: the next waits for it. */
  let pushTurn: Promise<void> = Promise.resolve();

  const onPush = (msg: Msg) => listeners.push(msg.string(), headersOf(msg));
  const onSignal = (msg: Msg) => listeners.signal(msg.string());

  connect({
    servers: options.url,
    name: options.name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  }).then(
    async (nc) => {
      // Without its account check (a round trip), the manager is made at once.
      const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: JETSTREAM_TIMEOUT_MS });
      if (closed) return void nc.close();
      connection = nc;
      jetStream = { js: jetstream(nc, { timeout: JETSTREAM_TIMEOUT_MS }), jsm };
      const stopped = () => closed;
      keepNatsSubscription({ nc, subject, handle: onPush, link, logger: options.logger, stopped });
      keepNatsSubscription({ nc, subject: signalSubject, handle: onSignal, link, logger: options.logger, stopped });
      link.up();
      history.connected();
      void watchStatus(nc, link, options, history.connected);
      void nc.closed().then(() => {
        if (!closed) link.down(`NATS connection closed (${options.url})`);
      });
    },
    (error: unknown) => {
      link.down(`NATS: ${error instanceof Error ? error.message : String(error)}`);
    },
  );

  /**
   * Resolves once the server has answered past the subscription to `to`. After a reconnection the
   * client sends its subscriptions again without waiting for the server, so liveness alone is not
   * enough: a round trip on the live connection confirms them. A round trip lost to a dropped
   * connection is tried again once the link is live again; a closed bus never resolves.
   */
  const confirmed = async (to: string, attempt = 0): Promise<void> => {
    await link.whenLive(to);
    const nc = connection!;
    if (await nc.flush().then(() => true, () => false)) return;
    if (closed || nc.isClosed()) return new Promise<never>(() => undefined);
    // The drop may not have reached the link yet: give it the resubscription delay to do so.
    await new Promise((resolve) => setTimeout(resolve, resubscribeDelay(attempt)).unref());
    return confirmed(to, attempt + 1);
  };

  /** The connection, when publishing can work: a lost subscription does not stop this node's pushes reaching the others. */
  const ready = (): NatsConnection => {
    if (!connection || !link.canPublish()) throw new BusUnavailableError(link.health().reason ?? 'NATS is not connected');
    return connection;
  };

  const history = createNatsHistory({
    prefix: options.prefix,
    limits: options.history ?? DEFAULT_HISTORY_LIMITS,
    access: () => {
      ready();
      return jetStream!;
    },
    onInvalid: (reason) => listeners.invalid('push', reason),
    logger: options.logger,
  });

  return {
    kind: 'nats',
    async publish(message) {
      ready();
      // Positions are reserved in the order of the calls; the pushes go out on the push subject
      // in that order too, so that a node's subscribers hear one publisher's pushes in position order.
      const appending = history.append(message);
      const previous = pushTurn;
      let done!: () => void;
      const mine = new Promise<void>((resolve) => (done = resolve));
      pushTurn = previous.then(() => mine);
      try {
        const appended = await appending;
        await previous;
        const headers = natsHeaders();
        for (const [key, value] of Object.entries(message.headers)) headers.set(key, value);
        ready().publish(subject, encodeBusMessage({ ...appended, headers: {} }, false), { headers });
        return appended.positions;
      } finally {
        done();
      }
    },
    history,
    subscribe: (handler) => busSubscription(listeners.onPush(handler), confirmed(subject)),
    // Every node hears every push on the one push subject for now: watching routes nothing yet.
    watch: () => busSubscription(() => undefined, Promise.resolve()),
    async signal(signal) {
      ready().publish(signalSubject, JSON.stringify(signal));
    },
    onSignal: (subscription) => busSubscription(listeners.onSignal(subscription), confirmed(signalSubject)),
    health: link.health,
    invalidMessages: listeners.invalidMessages,
    async close() {
      closed = true;
      history.stop();
      listeners.clear();
      // Still connecting: the attempt closes the connection itself once it succeeds.
      if (connection && !connection.isClosed()) await drainWithin(connection, DRAIN_TIMEOUT_MS);
    },
  };
}

/** The first value of each NATS header: the propagation headers carried beside a push. */
function headersOf(msg: Msg): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, values] of msg.headers ?? []) if (values[0] !== undefined) headers[key] = values[0];
  return headers;
}

/**
 * Follows the connection's status: a disconnect takes the link down, a reconnect brings it up
 * (and `reconnected` is told, so the history checks its JetStream streams again).
 */
async function watchStatus(nc: NatsConnection, link: LinkHealth, options: NatsBusOptions, reconnected: () => void): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') link.down(`NATS connection lost (${options.url})`);
    else if (status.type === 'reconnect') {
      link.up();
      reconnected();
    }
    if (status.type !== 'ping') options.logger?.info({ bus: 'nats', status: status.type }, 'bus status');
  }
}

/** Drains, then closes. A drain waits for the server's answer; one that never comes must not hold up shutdown. */
async function drainWithin(nc: NatsConnection, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const patience = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([nc.drain().catch(() => undefined), patience]);
  clearTimeout(timer);
  if (!nc.isClosed()) await nc.close().catch(() => undefined);
}
