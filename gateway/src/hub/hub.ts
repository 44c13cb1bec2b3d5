import { WebSocket } from 'ws';
import { epochMs } from '../telemetry/clock.ts';
import { CloseCode, type CloseReason, type ConnectionInfo } from '../protocol.ts';
import type { PushEnvelope } from '../push/push-envelope.ts';
import { bufferedBytes, type Connection } from './connection.ts';
import type { HubObserver } from './hub-observer.ts';
import { noteDelivery, preparePush, type PreparedPush } from './prepared-push.ts';
import { createRecentPushes } from './recent-pushes.ts';
import { createRegistry } from './registry.ts';
import { createWriteCoalescer } from './write-coalescer.ts';

export interface HubOptions {
  /** Buffered bytes above which a connection is closed with 1013 (default 1 MiB). */
  slowConsumerBytes: number;
  observer: HubObserver;
}

/** The node's connections and the fan-out of pushes to them. */
export interface Hub {
  register(connection: Connection): void;
  /** Called once the socket has closed; `code` is the close code seen on the wire. */
  unregister(connection: Connection, code: number): void;
  /** Queues the push for every matching local connection and returns how many it reached. */
  deliver(push: PushEnvelope): number;
  ack(connection: Connection, pushId: string): void;
  /** Holds socket writes (for a batch of pushes) until the returned release is called. */
  holdWrites(): () => void;
  /** Closes a connection on the gateway's initiative, recording why. */
  close(connection: Connection, code: number, reason: CloseReason, text: string): void;
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

export function createHub(options: HubOptions): Hub {
  const { observer, slowConsumerBytes } = options;
  const registry = createRegistry();
  const recent = createRecentPushes();
  const writer = createWriteCoalescer({
    onWritten: (pushes, writtenAt) => {
      for (const prepared of pushes) prepared.timing.writtenAt ??= writtenAt;
      observer.framesWritten(pushes, writtenAt);
    },
    onDiscarded: (count) => observer.dropped('closed', count),
  });

  const close = (connection: Connection, code: number, reason: CloseReason, text: string) => {
    if (connection.closeReason !== undefined) return;
    // What was accepted for the connection goes out before its close frame; a slow consumer's
    // backlog was dropped instead, so its close frame is next on the wire.
    if (reason !== 'slow_consumer') writer.writeBacklog(connection);
    connection.closeReason = reason;
    // No timer of our own: ws destroys the socket when the peer has not completed the close
    // handshake within its closeTimeout (30 s). A peer that stopped reading holds at most one
    // write round in Node's buffer by then, and destroying earlier would throw away the close
    // frame that tells it why.
    connection.ws.close(code, text);
  };

  /** Queues one frame unless the connection is closing or already past the slow-consumer limit. */
  const offer = (connection: Connection, prepared: PreparedPush): boolean => {
    if (connection.closeReason !== undefined) return false;
    const buffered = bufferedBytes(connection);
    // A single frame larger than the limit still goes to an idle connection; what is bounded is the backlog.
    if (buffered > 0 && buffered + prepared.frame.length > slowConsumerBytes) {
      prepared.dropped += 1;
      noteDelivery(prepared, connection, false);
      // Its backlog is lost anyway: dropped, so that the 1013 frame is the next thing it reads.
      observer.dropped('slow_consumer', 1 + writer.discard(connection));
      close(connection, CloseCode.TryAgainLater, 'slow_consumer', 'slow consumer');
      return false;
    }
    writer.enqueue(connection, prepared);
    noteDelivery(prepared, connection, true);
    return true;
  };

  return {
    register(connection) {
      registry.add(connection);
      observer.connectionOpened(connection);
    },
    unregister(connection, code) {
      if (!registry.remove(connection)) return;
      const left = writer.discard(connection);
      if (left > 0) observer.dropped('closed', left);
      const reason = connection.closeReason ?? clientCloseReason(code);
      connection.closeReason ??= reason;
      observer.connectionClosed(connection, reason);
    },
    deliver(push) {
      const fanoutAt = epochMs();
      let prepared: PreparedPush | undefined;
      let recipients = 0;
      registry.forEachMatch(push.to, (connection) => {
        // Encode lazily: a node with no matching connection never pays for the frame.
        prepared ??= preparePush(push, fanoutAt);
        prepared.matched += 1;
        if (offer(connection, prepared)) recipients += 1;
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
      connection.acks += 1;
      observer.acked(connection, pushId, recent.get(pushId), epochMs());
    },
    close,
    holdWrites: () => writer.hold(),
    disconnectUser(user) {
      const connections = [...(registry.byUser(user) ?? [])];
      for (const connection of connections) close(connection, CloseCode.Kicked, 'kicked', 'disconnected by the server');
      return connections.length;
    },
    disconnectConnection(id) {
      const connection = registry.get(id);
      if (!connection) return false;
      close(connection, CloseCode.Kicked, 'kicked', 'disconnected by the server');
      return true;
    },
    async closeAll(timeoutMs) {
      writer.flush();
      const closing = [...registry.all()].map(
        (connection) =>
          new Promise<void>((resolve) => {
            if (connection.ws.readyState === WebSocket.CLOSED) return resolve();
            connection.ws.once('close', () => resolve());
            close(connection, CloseCode.GoingAway, 'shutdown', 'going away');
          }),
      );
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.all(closing), deadline]);
      clearTimeout(timer);
      for (const connection of registry.all()) connection.ws.terminate();
    },
    userConnections(user) {
      return [...(registry.byUser(user) ?? [])].map((connection) => ({
        id: connection.id,
        tags: [...connection.tags],
        connectedAt: connection.connectedAt,
        bufferedAmount: bufferedBytes(connection),
        remote: connection.remote,
      }));
    },
    connectionsOf: (user) => registry.byUser(user)?.size ?? 0,
    connections: () => registry.all(),
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

/**
 * How a close the client initiated (or the network caused) is counted: a normal close (1000),
 * going away (1001), no status (1005) and the application's own codes (3000–4999) are `normal`;
 * an abnormal close (1006) and the protocol and error codes are `error`.
 */
export function clientCloseReason(code: number): 'normal' | 'error' {
  if (code === 1000 || code === 1001 || code === 1005) return 'normal';
  return code >= 3000 && code <= 4999 ? 'normal' : 'error';
}
