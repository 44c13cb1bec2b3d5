import { epochMs } from '../telemetry/clock.ts';
import { CloseCode, type CloseReason, type ConnectionInfo } from '../protocol.ts';
import type { StreamPositions } from '../bus/bus.ts';
import type { PushEnvelope } from '../push/push-envelope.ts';
import type { Connection } from './connection.ts';
import { createFanOut } from './fan-out.ts';
import { reportDiscarded, type DeliveryRecorder } from './delivery-record.ts';
import type { HubObserver } from './hub-observer.ts';
import type { QueuedFrame } from './prepared-push.ts';
import { createRecentPushes } from './recent-pushes.ts';
import { createRegistry, type Registry } from './registry.ts';
import { applyTagChange, type TagChange, type TagDelta } from './tag-change.ts';
import { bufferedOf, closedOf, closeSession, connectionInfoOf, createSession, type Session } from './session.ts';
import { createWriteCoalescer, type WriteCoalescer } from './write-coalescer.ts';

export interface HubOptions {
  /** Buffered bytes above which a connection is closed with 1013 (default 1 MiB). */
  slowConsumerBytes: number;
  observer: HubObserver;
  /** The push inspector's recorder; absent when it is off (`WSGW_PUSH_RECORD_MS=0`). */
  recorder?: DeliveryRecorder;
}

/** The node's connections and the fan-out of pushes to them. */
export interface Hub {
  /**
   * Adds the connection to the index. With `held`, the frames of pushes that reach it are kept
   * aside (not written) until `release`: the connection is being welcomed.
   */
  register(connection: Connection, options?: { held?: boolean }): void;
  /** Keeps the connection's live frames aside from now on, until `release` (a resume is replayed). */
  hold(connection: Connection): void;
  /**
   * Writes the frames given now, in order, ahead of anything held (a resume's replay), with the
   * connection's queue, past its backpressure: they precede the frame sent after them.
   */
  replay(connection: Connection, frames: readonly QueuedFrame[]): void;
  /**
   * Writes what was held for the connection, except frames `keep` refuses (already replayed, or
   * from before the connection's welcome positions), and goes back to writing frames at once.
   */
  release(connection: Connection, keep?: (frame: QueuedFrame) => boolean): void;
  /**
   * Called once the socket has closed; `code` is the close code seen on the wire. Returns the
   * reason the close is counted under (undefined when the connection was not registered).
   */
  unregister(connection: Connection, code: number): CloseReason | undefined;
  /**
   * Queues the push for every matching local connection and returns how many it reached; each
   * frame carries the push's `positions` in that connection's streams.
   */
  deliver(push: PushEnvelope, positions?: StreamPositions): number;
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
  /**
   * Applies a tag change to a registered connection: the fan-out matches it by its new tags from
   * now on. Undefined when nothing changed (or the connection is not registered), `refused` when
   * it would hold more than `MAX_CONNECTION_TAGS` tags (then nothing changed).
   */
  changeTags(connection: Connection, change: TagChange): TagDelta | { refused: true } | undefined;
  /** The tags the connection holds now (its token's until `changeTags`). */
  tagsOf(connection: Connection): readonly string[];
  /** The registered connection with this id. */
  connection(id: string): Connection | undefined;
  /** The user's registered connections. */
  connectionsOfUser(user: string): Connection[];
  /** The registered connections holding `tag`. */
  connectionsTagged(tag: string): Connection[];
  userConnections(user: string): ConnectionInfo[];
  connectionsOf(user: string): number;
  connections(): IterableIterator<Connection>;
  /**
   * Visits every connection with its buffered bytes. The once-a-second samplings go through this
   * rather than `connections()` and `bufferedBytes()`: at 10k connections those cost a generator
   * step and a map lookup each, every second, on the event loop that also delivers pushes.
   */
  forEachConnection(visit: (connection: Connection, bufferedBytes: number) => void): void;
  readonly size: number;
  readonly userCount: number;
  readonly tagCount: number;
}

/**
 * The hub owns delivery and nothing else: a session per connection (session.ts) indexed by the
 * registry, the fan-out of a push to the matches (fan-out.ts), the coalesced writes (write-coalescer.ts)
 * and the timing of recent pushes for their acks. What it does it reports to the observer as facts;
 * stats and telemetry keep their own state from those.
 */
export function createHub(options: HubOptions): Hub {
  const { observer } = options;
  const registry = createRegistry<Session>();
  const recent = createRecentPushes();
  const writer = createReportingWriter(observer);
  /** The registered session of `connection`; undefined once it is unregistered. */
  const sessionOf = (connection: Connection): Session | undefined => {
    const session = registry.get(connection.id);
    return session?.connection === connection ? session : undefined;
  };
  const kick = (session: Session) => closeSession(writer, session, CloseCode.Kicked, 'kicked', 'disconnected by the server');

  return {
    register(connection, { held = false } = {}) {
      const session = createSession(connection, writer);
      if (held) session.held = [];
      registry.add(session);
      observer.connectionOpened(connection);
    },
    hold(connection) {
      const session = sessionOf(connection);
      if (session && !session.held) session.held = [];
    },
    replay(connection, frames) {
      const session = sessionOf(connection);
      if (!session || session.closeReason !== undefined || frames.length === 0) return;
      for (const frame of frames) writer.enqueue(session.outbox, frame);
      writer.writeBacklog(session.outbox);
    },
    release(connection, keep) {
      const session = sessionOf(connection);
      if (!session?.held) return;
      const held = session.held;
      session.held = undefined;
      session.heldBytes = 0;
      if (session.closeReason !== undefined) return;
      let written = 0;
      for (const frame of held) {
        if (keep && !keep(frame)) continue;
        writer.enqueue(session.outbox, frame);
        writer.track(frame.prepared);
        written += 1;
      }
      if (written > 0) writer.commit();
    },
    unregister(connection, code) {
      const session = sessionOf(connection);
      if (!session || !registry.remove(session)) return undefined;
      if (session.held) reportDiscarded(session.held, connection, 'closed');
      const left = writer.discard(session.outbox, 'closed') + (session.held?.length ?? 0);
      session.held = undefined;
      if (left > 0) observer.dropped('closed', left);
      const reason = session.closeReason ?? clientCloseReason(code);
      session.closeReason = reason;
      observer.connectionClosed(connection, reason);
      return reason;
    },
    deliver: createFanOut({ registry, writer, recent, observer, slowConsumerBytes: options.slowConsumerBytes, recorder: options.recorder }),
    ack(connection, pushId) {
      const now = epochMs();
      observer.acked(connection, pushId, recent.get(pushId, now), now);
    },
    close(connection, code, reason, text) {
      const session = sessionOf(connection);
      if (session) closeSession(writer, session, code, reason, text);
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
      const sessions = registry.byUser(user);
      for (const session of sessions) kick(session);
      return sessions.length;
    },
    disconnectConnection(id) {
      const session = registry.get(id);
      if (session) kick(session);
      return session !== undefined;
    },
    closeAll: (timeoutMs) => closeEvery(writer, registry, timeoutMs),
    changeTags(connection, change) {
      const session = sessionOf(connection);
      return session && session.closeReason === undefined ? retagSession(registry, observer, session, change) : undefined;
    },
    tagsOf: (connection) => sessionOf(connection)?.tags ?? connection.tags,
    connection: (id) => registry.get(id)?.connection,
    connectionsOfUser: (user) => registry.byUser(user).map((session) => session.connection),
    connectionsTagged: (tag) => registry.byTag(tag).map((session) => session.connection),
    userConnections: (user) => registry.byUser(user).map(connectionInfoOf),
    connectionsOf: (user) => registry.countOf(user),
    connections: () => connectionsIn(registry.all()),
    forEachConnection(visit) {
      for (const session of registry.all()) visit(session.connection, bufferedOf(session));
    },
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

/** The write coalescer, stamping each push's first write and reporting every round to the observer. */
function createReportingWriter(observer: HubObserver): WriteCoalescer {
  return createWriteCoalescer({
    onWritten: (pushes, writtenAt) => {
      for (const prepared of pushes) prepared.timing.writtenAt ??= writtenAt;
      observer.framesWritten(pushes, writtenAt);
    },
    onDiscarded: (count) => observer.dropped('closed', count),
  });
}

/** Closes every connection with 1001; those still open after `timeoutMs` are cut. */
async function closeEvery(writer: WriteCoalescer, registry: Registry<Session>, timeoutMs: number): Promise<void> {
  writer.flush();
  const sessions = [...registry.all()];
  const closed = sessions.map(closedOf);
  for (const session of sessions) closeSession(writer, session, CloseCode.GoingAway, 'shutdown', 'going away');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([Promise.all(closed), deadline]);
  clearTimeout(timer);
  for (const session of registry.all()) session.connection.ws.terminate();
}

/** Gives the session its changed tags and moves it between the registry's tag groups. */
function retagSession(registry: Registry<Session>, observer: HubObserver, session: Session, change: TagChange): TagDelta | { refused: true } | undefined {
  const delta = applyTagChange(session.tags, change);
  if (!delta || 'refused' in delta) return delta;
  session.tags = delta.tags;
  registry.retag(session, delta.removed, delta.added);
  observer.tagsChanged(session.connection, delta);
  return delta;
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
