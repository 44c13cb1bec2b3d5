import { WebSocket } from 'ws';
import type { CloseReason, ConnectionInfo } from '../protocol.ts';
import type { Connection } from './connection.ts';
import type { QueuedFrame } from './prepared-push.ts';
import type { Outbox, WriteCoalescer } from './write-coalescer.ts';

/**
 * What the hub keeps per registered connection, beside it: the write queue (the coalescer's) and
 * the reason the gateway is closing it. The registry indexes sessions, so a match reaches both
 * without a lookup.
 */
export interface Session {
  readonly id: string;
  readonly user: string;
  /** The tags the connection holds now: its token's, then as the tag API changed them (only the hub sets them). */
  tags: readonly string[];
  readonly connection: Connection;
  readonly outbox: Outbox;
  /** Set when the gateway decided to close the connection; no frame is queued after that. */
  closeReason: CloseReason | undefined;
  /**
   * Live frames kept aside while the connection is being welcomed or resumed, so that none goes
   * out before the welcome or overtakes a replayed push; written (or dropped as already
   * replayed) on release. Undefined while frames go straight to the outbox.
   */
  held: QueuedFrame[] | undefined;
  heldBytes: number;
}

export function createSession(connection: Connection, writer: WriteCoalescer): Session {
  const { id, user, tags } = connection;
  return { id, user, tags, connection, outbox: writer.createOutbox(connection), closeReason: undefined, held: undefined, heldBytes: 0 };
}

/** Bytes handed to the connection but not yet sent to the peer: Node's socket buffer plus its queue. */
export function bufferedOf(session: Session): number {
  return session.connection.socket.writableLength + session.outbox.bytes;
}

/** Closes the session's connection on the gateway's initiative, once; the first reason stays. */
export function closeSession(writer: WriteCoalescer, session: Session, code: number, reason: CloseReason, text: string): void {
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
}

/** Resolves once the session's socket has closed (at once when it already has). */
export function closedOf(session: Session): Promise<void> {
  return new Promise((resolve) => {
    if (session.connection.ws.readyState === WebSocket.CLOSED) return resolve();
    session.connection.ws.once('close', () => resolve());
  });
}

/** The public view of a connection, as `GET /api/users/:user` lists it. */
export function connectionInfoOf(session: Session): ConnectionInfo {
  const { connection } = session;
  return {
    id: session.id,
    tags: [...session.tags],
    connectedAt: connection.connectedAt,
    bufferedAmount: bufferedOf(session),
    remote: connection.remote,
  };
}
