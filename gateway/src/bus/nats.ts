import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, PermissionViolationError, type Msg, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { NormalizedTarget } from '../push/push-envelope.ts';
import { streamsOfTarget } from '../push/streams.ts';
import { encodeBusMessage } from './bus-codec.ts';
import { createBusListeners } from './bus-listeners.ts';
import { parseBusMessage } from './bus-validation.ts';
import { withoutCredentials } from './bus-url.ts';
import { createLinkHealth, type LinkHealth } from './link-health.ts';
import { createNatsHistory } from './nats-history.ts';
import { natsSubjects, type NatsSubjects } from './nats-subjects.ts';
import { keepNatsSubscription, resubscribeDelay } from './nats-subscription.ts';
import { createNatsWatches } from './nats-watches.ts';
import { createPushDedupe } from './push-dedupe.ts';
import { BusUnavailableError, busSubscription, type Bus, type BusMessage, type HistoryLimits } from './bus.ts';
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
 * Most bytes one push's copies on its streams' subjects may add up to: past it, the push goes once
 * on the wide subject, which every node hears. A push's size grows with its streams (targets,
 * positions), so its copies grow with their square: a push to 10,000 users is 660 KB, and a copy
 * per stream would be 6.6 GB; to 100 users, 6 KB and 640 KB.
 */
export const WIDE_PUSH_BYTES = 1024 * 1024;
/** No subscription is named so: waiting for it to be live waits for the connection alone. */
const CONNECTION = '';

/**
 * The NATS bus: each push first appended to its streams' history in JetStream (nats-history.ts),
 * then published on the core subject of each of those streams (nats-subjects.ts), with trace
 * context in NATS headers; a node subscribes to the subjects of the streams it watches
 * (nats-watches.ts), so the server carries a push only to the nodes that hold one of its streams,
 * and a copy of it that arrives through a second stream is dropped here. A push whose copies would
 * be too many bytes goes once to every node instead (`WIDE_PUSH_BYTES`), each keeping it only if
 * it watches one of its streams. It never blocks start-up:
 * it keeps connecting in the background, says so in `health()`, and refuses publishes until it
 * is connected, so the API can answer 503 instead of queueing pushes nobody may ever receive.
 * A subscription the server ends makes the node unready until it is made again, which the bus
 * retries by itself (nats-subscription.ts).
 */
export function createNatsBus(options: NatsBusOptions): Bus {
  const subjects = natsSubjects(options.prefix);
  const signalSubject = subjects.signal;
  /** The subject of the signals to this node alone, when it has an id. */
  const directSubject = options.nodeId === undefined ? undefined : subjects.directSignal(options.nodeId);
  const listeners = createBusListeners(options.logger, `${options.prefix}.s`);
  const dedupe = createPushDedupe();
  const shown = withoutCredentials(options.url);
  const link = createLinkHealth(`connecting to ${shown}`);
  let connection: NatsConnection | undefined;
  let jetStream: { js: JetStreamClient; jsm: JetStreamManager } | undefined;
  let closed = false;
  /** Settles once this node's latest publish has gone out on its subjects: the next waits for it. */
  let pushTurn: Promise<void> = Promise.resolve();

  /** A push from the broker, checked; undefined (and counted) when unusable. */
  const parsePush = (msg: Msg): BusMessage | undefined => {
    const headers = headersOf(msg);
    if (!headers) return void listeners.invalid('push', 'NATS headers that cannot be read');
    const message = parseBusMessage(msg.string(), headers);
    if (!message.ok) return void listeners.invalid('push', message.error);
    return message.value;
  };
  /** A push from one of the watched streams' subjects: handed over once however many of them carry it. */
  const onPush = (msg: Msg) => {
    const message = parsePush(msg);
    // A push to one stream can only arrive once: the window is kept for those that can arrive twice.
    if (message && (targetCount(message.push.to) === 1 || dedupe.first(message.push.id))) listeners.deliver(message);
  };
  /** A push from the wide subject: every node hears it once, and hands it over if it watches one of its streams. */
  const onWidePush = (msg: Msg) => {
    const message = parsePush(msg);
    if (message && streamsOfTarget(message.push.to).some(watches.has)) listeners.deliver(message);
  };
  const onSignal = (msg: Msg) => listeners.signal(msg.string());

  connect({
    ...serverOf(options.url),
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
      keepNatsSubscription({ nc, subject: subjects.wide, handle: onWidePush, link, logger: options.logger, stopped });
      keepNatsSubscription({ nc, subject: signalSubject, handle: onSignal, link, logger: options.logger, stopped });
      if (directSubject) keepNatsSubscription({ nc, subject: directSubject, handle: onSignal, link, logger: options.logger, stopped });
      watches.attach(nc);
      link.up();
      history.connected();
      void watchStatus(nc, link, options, history.connected);
      void nc.closed().then(() => {
        if (!closed) link.down(`NATS connection closed (${shown})`);
      });
    },
    (error: unknown) => {
      link.down(`NATS: ${error instanceof Error ? error.message : String(error)}`);
    },
  );

  /**
   * Resolves once the server has answered past the subscription to `to` (`CONNECTION`: past
   * everything sent so far). After a reconnection the
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

  const watches = createNatsWatches({
    subjectOf: subjects.stream,
    handle: onPush,
    roundTrip: () => confirmed(CONNECTION),
    link,
    logger: options.logger,
  });

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
      // Positions are reserved in the order of the calls; the pushes go out on the stream subjects
      // in that order too, so that a node's subscribers hear one publisher's pushes in position order.
      const appending = history.append(message);
      const previous = pushTurn;
      let done!: () => void;
      const mine = new Promise<void>((resolve) => (done = resolve));
      pushTurn = previous.then(() => mine);
      let appended: BusMessage;
      let nc: NatsConnection;
      try {
        appended = await appending;
        await previous;
        nc = ready();
        sendPush(nc, subjects, appended);
      } finally {
        done();
      }
      // Outside the turn, so that the next push need not wait for it. Once the server has answered
      // past the push, one that any node publishes after this resolves reaches every node behind
      // it. A push the connection lost before that is stored all the same: no error, or a retry
      // would store it twice.
      await nc.flush().catch(() => undefined);
      return appended.positions;
    },
    history,
    // Handlers hear what the watches and the wide subject bring: confirmed with the wide subject.
    subscribe: (handler) => busSubscription(listeners.onPush(handler), confirmed(subjects.wide)),
    watch: (stream) => watches.watch(stream),
    unwatch: (stream) => watches.unwatch(stream),
    async signal(signal, to) {
      const nc = ready();
      nc.publish(to === undefined ? signalSubject : subjects.directSignal(to), JSON.stringify(signal));
      // Resolved once the server has it, as a Redis PUBLISH is: what any node sends after reaches
      // each node behind it.
      await nc.flush().catch(() => {
        throw new BusUnavailableError(`NATS connection lost before the server had the signal (${shown})`);
      });
    },
    onSignal: (subscription) =>
      busSubscription(
        listeners.onSignal(subscription),
        Promise.all([confirmed(signalSubject), directSubject && confirmed(directSubject)]).then(() => undefined),
      ),
    health: link.health,
    invalidMessages: listeners.invalidMessages,
    async close() {
      closed = true;
      watches.stop();
      history.stop();
      listeners.clear();
      // Still connecting: the attempt closes the connection itself once it succeeds.
      if (connection && !connection.isClosed()) await drainWithin(connection, DRAIN_TIMEOUT_MS);
    },
  };
}

/**
 * Publishes a push, with all its positions, on the subject of each stream it targets, in the order
 * of its streams, encoded once for all; or, when those copies would pass `WIDE_PUSH_BYTES`, once
 * on the wide subject.
 */
function sendPush(nc: NatsConnection, subjects: NatsSubjects, message: BusMessage): void {
  const headers = natsHeaders();
  for (const [key, value] of Object.entries(message.headers)) headers.set(key, value);
  const body = new TextEncoder().encode(encodeBusMessage({ ...message, headers: {} }, false));
  const streams = streamsOfTarget(message.push.to);
  if (streams.length > 1 && streams.length * body.length > WIDE_PUSH_BYTES) return nc.publish(subjects.wide, body, { headers });
  for (const stream of streams) nc.publish(subjects.stream(stream), body, { headers });
}

/** How many streams a push targets (`streamsOfTarget`), without listing them. */
function targetCount(to: NormalizedTarget): number {
  return to.users.length + to.tags.length + (to.all ? 1 : 0);
}

/**
 * The first value of each NATS header: the propagation headers carried beside a push. Undefined
 * for a header block the client cannot read (it throws on a name no client would send).
 */
function headersOf(msg: Msg): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  try {
    for (const [key, values] of msg.headers ?? []) if (values[0] !== undefined) headers[key] = values[0];
  } catch {
    return undefined;
  }
  return headers;
}

/**
 * Follows the connection's status: a disconnect takes the link down, a reconnect brings it up
 * (and `reconnected` is told, so the history checks its JetStream streams again).
 */
async function watchStatus(nc: NatsConnection, link: LinkHealth, options: NatsBusOptions, reconnected: () => void): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') link.down(`NATS connection lost (${withoutCredentials(options.url)})`);
    else if (status.type === 'reconnect') {
      link.up();
      reconnected();
    }
    // A refused subscription is reported by the subscription's own loss, once for all watched
    // streams: here it would be a line per stream, 10,000 on a busy node.
    const refusedSubscription = status.type === 'error' && status.error instanceof PermissionViolationError && status.error.operation === 'subscription';
    if (status.type !== 'ping' && !refusedSubscription) options.logger?.info({ bus: 'nats', status: status.type }, 'bus status');
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

/**
 * The server and its credentials from a bus URL: `nats://user:password@host:4222` logs in as the
 * user, `nats://token@host:4222` with a token. The client would otherwise ignore them.
 */
export function serverOf(url: string): { servers: string; user?: string; pass?: string; token?: string } {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  if (user === '') return { servers: url };
  const servers = withoutCredentials(url);
  return pass === '' ? { servers, token: user } : { servers, user, pass };
}
