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
  /** Writes everything queued now (used before closing connections). */
  flush(): void;
}

export interface WriteCoalescerOptions {
  onWritten(pushes: readonly PreparedPush[], writtenAt: number): void;
  /** Frames that were queued for a connection that closed before the write. */
  onDiscarded(count: number): void;
}

/**
 * Decides when queued frames hit the sockets. The syscall per write is what fan-out costs, so
 * frames bound for one socket are written together (a corked write, one `writev`) whenever
 * pushes arrive in a burst:
 * - the first push of an event-loop turn is written at once, so a lone push waits for nothing;
 * - pushes arriving later in the same turn (concurrent requests, bus messages) are written together
 *   when the turn ends (`setImmediate`);
 * - a batch holds all writes until it is complete.
 */
export function createWriteCoalescer(options: WriteCoalescerOptions): WriteCoalescer {
  let dirty: Connection[] = [];
  let tracked: PreparedPush[] = [];
  let holds = 0;
  let turnBusy = false;

  const flush = () => {
    if (dirty.length === 0 && tracked.length === 0) return;
    const connections = dirty;
    const pushes = tracked;
    dirty = [];
    tracked = [];
    let discarded = 0;
    for (const connection of connections) {
      const queue = connection.queue;
      connection.queue = [];
      connection.queuedBytes = 0;
      if (connection.closeReason !== undefined || connection.ws.readyState !== WebSocket.OPEN) {
        discarded += queue.length;
        continue;
      }
      writeAll(connection, queue);
    }
    if (discarded > 0) options.onDiscarded(discarded);
    if (pushes.length === 0) return;
    options.onWritten(pushes, epochMs());
    for (const prepared of pushes) prepared.written = 0;
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
  };
}

function writeAll(connection: Connection, queue: PreparedPush[]): void {
  const { socket } = connection;
  if (queue.length === 1) {
    socket.write(queue[0]!.frame);
    queue[0]!.written += 1;
    return;
  }
  socket.cork();
  for (const prepared of queue) {
    socket.write(prepared.frame);
    prepared.written += 1;
  }
  socket.uncork();
}
