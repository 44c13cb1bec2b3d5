import { WebSocket } from 'ws';
import { epochMs } from '../telemetry/clock.ts';
import type { Connection } from './connection.ts';
import type { PreparedPush } from './prepared-push.ts';

/**
 * One connection's frames waiting for the next coalesced write, or for its socket to drain. Created,
 * read and written by the write coalescer alone; the hub keeps it beside the connection and reads
 * `bytes` for the connection's buffered amount.
 */
export interface Outbox {
  readonly connection: Connection;
  frames: PreparedPush[];
  /** Bytes of `frames`. */
  bytes: number;
}

export interface WriteCoalescer {
  /** The empty queue of a newly registered connection. */
  createOutbox(connection: Connection): Outbox;
  /** Queues a frame for the connection; it is written when the push is committed. */
  enqueue(outbox: Outbox, prepared: PreparedPush): void;
  /** Marks a push as part of the current round so its write count is reported. */
  track(prepared: PreparedPush): void;
  /** A push finished queueing: write now, or coalesce with the pushes still arriving. */
  commit(): void;
  /** Holds every write until the returned release is called (a batch of pushes). */
  hold(): () => void;
  /** Writes everything queued now, within each socket's backpressure (used before closing connections). */
  flush(): void;
  /** Drops the frames still queued for the connection (a slow consumer's backlog); returns how many. */
  discard(outbox: Outbox): number;
  /** Writes all of the connection's queued frames now, past backpressure, so they precede its close frame. */
  writeBacklog(outbox: Outbox): void;
}

export interface WriteCoalescerOptions {
  onWritten(pushes: readonly PreparedPush[], writtenAt: number): void;
  /** Frames that were queued for a connection that closed before the write. */
  onDiscarded(count: number): void;
}

/**
 * Bytes one round writes into a socket at most (64 KiB); the rest stays queued until the socket
 * drains. Large enough that a burst of small pushes is still one write.
 */
export const ROUND_BYTES = 64 * 1024;

/**
 * Decides when queued frames hit the sockets. The syscall per write is what fan-out costs, so
 * frames bound for one socket are written together (a corked write, one `writev`) whenever
 * pushes arrive in a burst:
 * - the first push of an event-loop turn is written at once, so a lone push waits for nothing;
 * - pushes arriving later in the same turn (concurrent requests, bus messages) are written together
 *   when the turn ends (`setImmediate`);
 * - a batch holds all writes until it is complete.
 *
 * A socket that needs draining gets nothing more, and no round writes more than `ROUND_BYTES`
 * into one: what the peer has not taken waits in the connection's queue, not in Node's socket
 * buffer, which nothing can clear. So a slow consumer's backlog can be dropped when it is cut, and
 * its close frame goes out behind at most one round's bytes instead of a megabyte of pushes.
 */
export function createWriteCoalescer(options: WriteCoalescerOptions): WriteCoalescer {
  let dirty: Outbox[] = [];
  let tracked: PreparedPush[] = [];
  let holds = 0;
  let turnBusy = false;
  const awaitingDrain = new WeakSet<Outbox>();

  const report = (pushes: readonly PreparedPush[]) => {
    if (pushes.length === 0) return;
    options.onWritten(pushes, epochMs());
    for (const prepared of pushes) prepared.written = 0;
  };

  const discard = (outbox: Outbox): number => {
    const count = outbox.frames.length;
    outbox.frames = [];
    outbox.bytes = 0;
    return count;
  };

  /**
   * Writes what the socket takes now; the rest waits for its 'drain'. False once it is closing:
   * whoever closes a connection (the hub, ws on a protocol error, the heartbeat) moves `ws` out
   * of OPEN at once, so nothing is written behind its close frame.
   */
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
        const count = discard(outbox);
        if (count > 0) options.onDiscarded(count);
      }
      report(late);
    });
  };

  const flush = () => {
    if (dirty.length === 0 && tracked.length === 0) return;
    const outboxes = dirty;
    const pushes = tracked;
    dirty = [];
    tracked = [];
    let discarded = 0;
    for (const outbox of outboxes) {
      if (!writeQueued(outbox)) discarded += discard(outbox);
    }
    if (discarded > 0) options.onDiscarded(discarded);
    report(pushes);
  };

  const endTurn = () => {
    turnBusy = false;
    if (holds === 0) flush();
  };

  const commit = () => {
    if (holds > 0) return;
    if (turnBusy) return; // endTurn writes it, together with whatever else arrives this turn
    turnBusy = true;
    flush();
    setImmediate(endTurn);
  };

  return {
    createOutbox: (connection) => ({ connection, frames: [], bytes: 0 }),
    enqueue(outbox, prepared) {
      // A connection with frames still queued is either dirty already or waiting for 'drain'.
      if (outbox.frames.length === 0) dirty.push(outbox);
      outbox.frames.push(prepared);
      outbox.bytes += prepared.frame.length;
    },
    track(prepared) {
      tracked.push(prepared);
    },
    commit,
    hold() {
      holds += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds -= 1;
        commit();
      };
    },
    flush,
    discard,
    writeBacklog(outbox) {
      if (outbox.frames.length === 0 || outbox.connection.ws.readyState !== WebSocket.OPEN) return;
      const late: PreparedPush[] = [];
      writeHead(outbox, Infinity, late);
      report(late);
    },
  };
}

/**
 * Writes frames from the head of the queue, in one corked write, until `maxBytes` have gone into
 * the socket. Returns whether the queue is empty. Pushes in `late` get reported by the caller:
 * those whose first write since their last report this is.
 */
function writeHead(outbox: Outbox, maxBytes: number, late?: PreparedPush[]): boolean {
  const { socket } = outbox.connection;
  const queue = outbox.frames;
  if (queue.length === 1) {
    const prepared = queue[0]!;
    socket.write(prepared.frame);
    if (prepared.written++ === 0) late?.push(prepared);
    outbox.frames = [];
    outbox.bytes = 0;
    return true;
  }
  let count = 0;
  let bytes = 0;
  socket.cork();
  while (count < queue.length && bytes < maxBytes) {
    const prepared = queue[count]!;
    socket.write(prepared.frame);
    if (prepared.written++ === 0) late?.push(prepared);
    bytes += prepared.frame.length;
    count += 1;
  }
  socket.uncork();
  outbox.frames = count === queue.length ? [] : queue.slice(count);
  outbox.bytes = count === queue.length ? 0 : outbox.bytes - bytes;
  return outbox.frames.length === 0;
}
