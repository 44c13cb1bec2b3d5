import { WebSocket } from 'ws';
import type { DropReason } from '../protocol.ts';
import type { Connection } from './connection.ts';
import { reportDiscarded } from './delivery-record.ts';
import type { PreparedPush, QueuedFrame } from './prepared-push.ts';

/**
 * One connection's frames waiting for the next coalesced write, or for its socket to drain. Part of the
 * write coalescer: created, read and written by it alone; the hub keeps it beside the connection and reads
 * `bytes` for the connection's buffered amount.
 */
export interface Outbox {
  readonly connection: Connection;
  frames: QueuedFrame[];
  /** Bytes of `frames`. */
  bytes: number;
}

export function createOutbox(connection: Connection): Outbox {
  return { connection, frames: [], bytes: 0 };
}

export function pushFrame(outbox: Outbox, queued: QueuedFrame): void {
  outbox.frames.push(queued);
  outbox.bytes += queued.frame.length;
}

/** Drops every queued frame, telling their pushes' records why; returns how many. */
export function discardFrames(outbox: Outbox, reason: DropReason): number {
  const count = outbox.frames.length;
  if (count > 0) reportDiscarded(outbox.frames, outbox.connection, reason);
  outbox.frames = [];
  outbox.bytes = 0;
  return count;
}

/**
 * Bytes one round writes into a socket at most (64 KiB); the rest stays queued until the socket
 * drains. Large enough that a burst of small pushes is still one write.
 */
export const ROUND_BYTES = 64 * 1024;

export interface OutboxWriterOptions {
  /** Pushes written outside a round (once a socket drained), to report on their own. */
  report(pushes: readonly PreparedPush[]): void;
  /** Frames dropped because their connection closed while they waited for a drain. */
  onDiscarded(count: number): void;
}

export interface OutboxWriter {
  /**
   * Writes what the socket takes now; the rest waits for its 'drain', and is written then. False
   * once the connection is closing.
   */
  writeQueued(outbox: Outbox, late?: PreparedPush[]): boolean;
}

/** Writes outboxes within each socket's backpressure, and resumes each one on its socket's 'drain'. */
export function createOutboxWriter(options: OutboxWriterOptions): OutboxWriter {
  const awaitingDrain = new WeakSet<Outbox>();

  // Whoever closes a connection (the hub, ws on a protocol error, the heartbeat) moves `ws` out
  // of OPEN at once, so nothing is written behind its close frame.
  const writeQueued = (outbox: Outbox, late?: PreparedPush[]): boolean => {
    const { socket, ws } = outbox.connection;
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (outbox.frames.length === 0) return true;
    // Never below the socket's high-water mark: a round that stops early must end in a 'drain'.
    const bound = Math.max(ROUND_BYTES, socket.writableHighWaterMark);
    if (socket.writableNeedDrain || !writeHead(outbox, bound, late)) awaitDrain(outbox);
    return true;
  };

  const awaitDrain = (outbox: Outbox) => {
    if (awaitingDrain.has(outbox)) return;
    awaitingDrain.add(outbox);
    outbox.connection.socket.once('drain', () => {
      awaitingDrain.delete(outbox);
      // Written outside a round, so these writes are reported on their own.
      const late: PreparedPush[] = [];
      if (!writeQueued(outbox, late)) {
        const count = discardFrames(outbox, 'closed');
        if (count > 0) options.onDiscarded(count);
      }
      options.report(late);
    });
  };

  return { writeQueued };
}

/**
 * Writes frames from the head of the queue, in one corked write, until `maxBytes` have gone into
 * the socket. Returns whether the queue is empty. Pushes in `late` get reported by the caller:
 * those whose first write since their last report this is.
 */
export function writeHead(outbox: Outbox, maxBytes: number, late?: PreparedPush[]): boolean {
  const { socket } = outbox.connection;
  const queue = outbox.frames;
  if (queue.length === 1) {
    const { frame, prepared } = queue[0]!;
    socket.write(frame);
    if (prepared.written++ === 0) late?.push(prepared);
    prepared.record?.written(outbox.connection);
    outbox.frames = [];
    outbox.bytes = 0;
    return true;
  }
  let count = 0;
  let bytes = 0;
  socket.cork();
  while (count < queue.length && bytes < maxBytes) {
    const { frame, prepared } = queue[count]!;
    socket.write(frame);
    if (prepared.written++ === 0) late?.push(prepared);
    prepared.record?.written(outbox.connection);
    bytes += frame.length;
    count += 1;
  }
  socket.uncork();
  outbox.frames = count === queue.length ? [] : queue.slice(count);
  outbox.bytes = count === queue.length ? 0 : outbox.bytes - bytes;
  return outbox.frames.length === 0;
}
