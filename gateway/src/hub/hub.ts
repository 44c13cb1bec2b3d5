import { WebSocket } from 'ws';
import { epochMs } from '../telemetry/clock.ts';
import { CloseCode, type CloseReason, type ConnectionInfo } from '../protocol.ts';
import type { PushEnvelope } from '../push/push-envelope.ts';
import type { Connection } from './connection.ts';
import type { HubObserver } from './hub-observer.ts';
import { preparePush, type PreparedPush } from './prepared-push.ts';
import { createRecentPushes } from './recent-pushes.ts';
import { createRegistry } from './registry.ts';
import { createWriteCoalescer, type Outbox } from './write-coalescer.ts';

export interface HubOptions {
  /** Buffered bytes above which a connection is closed with 1013 (default 1 MiB). */
  slowConsumerBytes: number;
  observer: HubObserver;
}

/** The node's connections and the fan-out of pushes to them. */
export interface Hub {
  register(connection: Connection): void;
  /**
   * Called once the socket has closed; `code` is the close code seen on the wire. Returns the
   * reason the close is counted under (undefined when the connection was not registered).
   */
  unregister(connection: Connection, code: number): CloseReason | undefined;
  /** Queues the push for every matching local connection and returns how many it reached. */
  deliver(push: PushEnvelope): number;
  ack(connection: Connection, pushId: string): void;
  /** Holds socket writes (for a batch of pushes) until the returned release is called. */
  holdWrites(): () => void;
  /** Closes a connection on the gateway's initiative, recording why. */
  close(connection: Connection, code: number, reason: CloseReason, text: string): void;
  /** Cuts a connection without a close handshake (a peer that stopped answering), recording why. */
  terminate(connection: Connection, reason: CloseReason): void;
  /**
   * Records why a connection is closing when `ws` closes it itself (a protocol error); the first
   * reason recorded wins, so a close the gateway decided keeps its own.
   */
  recordCloseReason(connection: Connection, reason: CloseReason): void;
  /** Why the gateway is closing the connection; undefined while it is open (or unknown to the hub). */
  closeReasonOf(connection: Connection): CloseReason | undefined;
  /** Bytes handed to the connection but not yet sent to the peer: Node's socket buffer plus its queue. */
  bufferedBytes(connection: Connection): number;
  disconnectUser(user: string): number;
  disconnectConnection(id: string): boolean;
  /** Closes every connection with 1001 and resolves when all are gone or `timeoutMs` passed. */
  closeAll(timeoutMs: number): Promise<void>;
  userConnections(user: string): ConnectionInfo[];
  connectionsOf(user: string): number;
  connections(): IterableIterator<Connection>;
  readonly size: number;
  readonly userCount: number;
  readonly tagCount: number;
}

/**
 * What the hub keeps per registered connection, beside it: the write queue (the coalescer's) and
 * the reason the gateway is closing it. Indexed as it is, so a match reaches both without a lookup.
 */
interface Session {
  readonly id: string;
  readonly user: string;
  readonly tags: readonly string[];
  readonly connection: Connection;
  readonly outbox: Outbox;
  closeReason: CloseReason | undefined;
}

const bufferedOf = (session: Session) => session.connection.socket.writableLength + session.outbox.bytes;

export function createHub(options: HubOptions): Hub {
  const { observer, slowConsumerBytes } = options;
  const registry = createRegistry<Session>();
  const recent = createRecentPushes();
  const writer = createWriteCoalescer({
    onWritten: (pushes, writtenAt) => {
      for (const prepared of pushes) prepared.timing.writtenAt ??= writtenAt;
      observer.framesWritten(pushes, writtenAt);
    },
    onDiscarded: (count) => observer.dropped('closed', count),
  });
  /** The registered session of `connection`; undefined once it is unregistered. */
  const sessionOf = (connection: Connection): Session | undefined => {
    const session = registry.get(connection.id);
    return session?.connection === connection ? session : undefined;
  };

  const close = (session: Session, code: number, reason: CloseReason, text: string) => {
    if (session.closeReason !== undefined) return;
    // What was accepted for the connection goes out before its close frame; a slow consumer's
    // backlog was dropped instead, so its close frame is next on the wire.
    if (reason !== 'slow_consumer') writer.writeBacklog(session.outbox);
    session.closeReason = reason;
    // No timer of our own: ws destroys the socket when the peer has not completed the close
    // handshake within its closeTimeout (30 s). A peer that stopped reading holds at most one
    // write round in Node's buffer by then, and destroying earlier would throw away the close
    // frame that tells it why.
    session.connection.ws.close(code, text);
  };
  const kick = (session: Session) => close(session, CloseCode.Kicked, 'kicked', 'disconnected by the server');

  /** Queues one frame unless the connection is closing or already past the slow-consumer limit. */
  const offer = (session: Session, prepared: PreparedPush): boolean => {
    if (session.closeReason !== undefined) return false;
    const buffered = bufferedOf(session);
    const sampled = prepared.timing.traceId !== undefined;
    // A single frame larger than the limit still goes to an idle connection; what is bounded is the backlog.
    if (buffered > 0 && buffered + prepared.frame.length > slowConsumerBytes) {
      prepared.dropped += 1;
      if (sampled) observer.sampledDelivery(prepared, session.connection, false);
      // Its backlog is lost anyway: dropped, so that the 1013 frame is the next thing it reads.
      observer.dropped('slow_consumer', 1 + writer.discard(session.outbox));
      close(session, CloseCode.TryAgainLater, 'slow_consumer', 'slow consumer');
      return false;
    }
    writer.enqueue(session.outbox, prepared);
    if (sampled) observer.sampledDelivery(prepared, session.connection, true);
    return true;
  };

  return {
    register(connection) {
      const { id, user, tags } = connection;
      registry.add({ id, user, tags, connection, outbox: writer.createOutbox(connection), closeReason: undefined });
      observer.connectionOpened(connection);
    },
    unregister(connection, code) {
      const session = sessionOf(connection);
      if (!session || !registry.remove(session)) return undefined;
      const left = writer.discard(session.outbox);
      if (left > 0) observer.dropped('closed', left);
      const reason = session.closeReason ?? clientCloseReason(code);
      session.closeReason = reason;
      observer.connectionClosed(connection, reason);
      return reason;
    },
    deliver(push) {
      const fanoutAt = epochMs();
      let prepared: PreparedPush | undefined;
      let recipients = 0;
      registry.forEachMatch(push.to, (session) => {
        // Encode lazily: a node with no matching connection never pays for the frame.
        prepared ??= preparePush(push, fanoutAt);
        prepared.matched += 1;
        if (offer(session, prepared)) recipients += 1;
      });
      if (prepared) {
        // Reported with its write round, even when every match was dropped: that fan-out matters most.
        writer.track(prepared);
        if (recipients > 0) recent.remember(prepared.timing);
      }
      writer.commit();
      observer.fannedOut(push, recipients, epochMs() - fanoutAt);
      return recipients;
    },
    ack(connection, pushId) {
      observer.acked(connection, pushId, recent.get(pushId), epochMs());
    },
    close(connection, code, reason, text) {
      const session = sessionOf(connection);
      if (session) close(session, code, reason, text);
    },
    terminate(connection, reason) {
      const session = sessionOf(connection);
      if (!session || session.closeReason !== undefined) return;
      session.closeReason = reason;
      connection.ws.terminate();
    },
    recordCloseReason(connection, reason) {
      const session = sessionOf(connection);
      if (session) session.closeReason ??= reason;
    },
    closeReasonOf: (connection) => sessionOf(connection)?.closeReason,
    bufferedBytes(connection) {
      const session = sessionOf(connection);
      return session ? bufferedOf(session) : connection.socket.writableLength;
    },
    holdWrites: () => writer.hold(),
    disconnectUser(user) {
      const sessions = [...(registry.byUser(user) ?? [])];
      for (const session of sessions) kick(session);
      return sessions.length;
    },
    disconnectConnection(id) {
      const session = registry.get(id);
      if (!session) return false;
      kick(session);
      return true;
    },
    async closeAll(timeoutMs) {
      writer.flush();
      const closing = [...registry.all()].map(
        (session) =>
          new Promise<void>((resolve) => {
            if (session.connection.ws.readyState === WebSocket.CLOSED) return resolve();
            session.connection.ws.once('close', () => resolve());
            close(session, CloseCode.GoingAway, 'shutdown', 'going away');
          }),
      );
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.all(closing), deadline]);
      clearTimeout(timer);
      for (const session of registry.all()) session.connection.ws.terminate();
    },
    userConnections(user) {
      return [...(registry.byUser(user) ?? [])].map((session) => ({
        id: session.id,
        tags: [...session.tags],
        connectedAt: session.connection.connectedAt,
        bufferedAmount: bufferedOf(session),
        remote: session.connection.remote,
      }));
    },
    connectionsOf: (user) => registry.byUser(user)?.size ?? 0,
    connections: () => connectionsIn(registry.all()),
    get size() {
      return registry.size;
    },
    get userCount() {
      return registry.userCount;
    },
    get tagCount() {
      return registry.tagCount;
    },
  };
}

function* connectionsIn(sessions: Iterable<Session>): IterableIterator<Connection> {
  for (const session of sessions) yield session.connection;
}

/**
 * How a close the client initiated (or the network caused) is counted: a normal close (1000),
 * going away (1001), no status (1005) and the application's own codes (3000–4999) are `normal`;
 * an abnormal close (1006) and the protocol and error codes are `error`.
 */
export function clientCloseReason(code: number): 'normal' | 'error' {
  if (code === 1000 || code === 1001 || code === 1005) return 'normal';
  return code >= 3000 && code <= 4999 ? 'normal' : 'error';
}
