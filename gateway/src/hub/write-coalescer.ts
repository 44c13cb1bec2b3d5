import { WebSocket } from 'ws';
import { epochMs } from '../telemetry/clock.ts';
import type { Connection } from './connection.ts';
import type { PreparedPush } from './prepared-push.ts';

export interface WriteCoalescer {
  /** Queues a frame for the connection; it is written when the push is committed. */
  enqueue(connection: Connection, prepared: PreparedPush): void;
  /** Marks a push as part of the current round so its write count is reported. */
  track(prepared: PreparedPush): void;
  /** A push finished queueing: write now, or coalesce with the pushes still arriving. */
  commit(): void;
  /** Holds every write until the returned release is called (a batch of pushes). */
  hold(): () => void;
  /** Writes everything queued now, within each socket's backpressure (used before closing connections). */
  flush(): void;
  /** Drops the frames still queued for the connection (a slow consumer's backlog); returns how many. */
  discard(connection: Connection): number;
  /** Writes all of the connection's queued frames now, past backpressure, so they precede its close frame. */
  writeBacklog(connection: Connection): void;
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
  let dirty: Connection[] = [];
  let tracked: PreparedPush[] = [];
  let holds = 0;
  let turnBusy = false;
  const awaitingDrain = new WeakSet<Connection>();

  const report = (pushes: readonly PreparedPush[]) => {
    if (pushes.length === 0) return;
    options.onWritten(pushes, epochMs());
    for (const prepared of pushes) prepared.written = 0;
  };

  const discard = (connection: Connection): number => {
    const count = connection.queue.length;
    connection.queue = [];
    connection.queuedBytes = 0;
    return count;
  };

  /** Writes what the socket takes now; the rest waits for its 'drain'. False once it is closing. */
  const writeQueued = (connection: Connection, late?: PreparedPush[]): boolean => {
    if (connection.closeReason !== undefined || connection.ws.readyState !== WebSocket.OPEN) return false;
    if (connection.queue.length === 0) return true;
    const { socket } = connection;
    // Never below the socket's high-water mark: a round that stops early must end in a 'drain'.
    const bound = Math.max(ROUND_BYTES, socket.writableHighWaterMark);
    if (socket.writableNeedDrain || !writeHead(connection, bound, late)) awaitDrain(connection);
    return true;
  };

  const awaitDrain = (connection: Connection) => {
    if (awaitingDrain.has(connection)) return;
    awaitingDrain.add(connection);
    connection.socket.once('drain', () => {
      awaitingDrain.delete(connection);
      // Written outside a round, so these writes are reported on their own.
      const late: PreparedPush[] = [];
      if (!writeQueued(connection, late)) {
        const count = discard(connection);
        if (count > 0) options.onDiscarded(count);
      }
      report(late);
    });
  };

  const flush = () => {
    if (dirty.length === 0 && tracked.length === 0) return;
    const connections = dirty;
    const pushes = tracked;
    dirty = [];
    tracked = [];
    let discarded = 0;
    for (const connection of connections) {
      if (!writeQueued(connection)) discarded += discard(connection);
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
    enqueue(connection, prepared) {
      // A connection with frames still queued is either dirty already or waiting for 'drain'.
      if (connection.queue.length === 0) dirty.push(connection);
      connection.queue.push(prepared);
      connection.queuedBytes += prepared.frame.length;
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
    writeBacklog(connection) {
      if (connection.queue.length === 0 || connection.ws.readyState !== WebSocket.OPEN) return;
      const late: PreparedPush[] = [];
      writeHead(connection, Infinity, late);
      report(late);
    },
  };
}

/**
 * Writes frames from the head of the queue, in one corked write, until `maxBytes` have gone into
 * the socket. Returns whether the queue is empty. Pushes in `late` get reported by the caller:
 * those whose first write since their last report this is.
 */
function writeHead(connection: Connection, maxBytes: number, late?: PreparedPush[]): boolean {
  const { socket, queue } = connection;
  if (queue.length === 1) {
    const prepared = queue[0]!;
    socket.write(prepared.frame);
    if (prepared.written++ === 0) late?.push(prepared);
    connection.queue = [];
    connection.queuedBytes = 0;
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
  connection.queue = count === queue.length ? [] : queue.slice(count);
  connection.queuedBytes = count === queue.length ? 0 : connection.queuedBytes - bytes;
  return connection.queue.length === 0;
}
