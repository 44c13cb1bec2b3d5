import { WebSocket } from 'ws';
import type { Connection } from './connection.ts';
import type { PreparedPush } from './prepared-push.ts';

export interface WriteCoalescer {
  /** Queues a frame for the connection; the write happens in the next round. */
  enqueue(connection: Connection, prepared: PreparedPush): void;
  /** Marks a push as part of the current round so its write count is reported. */
  track(prepared: PreparedPush): void;
  /** Writes everything queued now (used before closing connections). */
  flush(): void;
}

export interface WriteCoalescerOptions {
  onWritten(pushes: readonly PreparedPush[], writtenAt: number): void;
  /** Frames that were queued for a connection that closed before the write. */
  onDiscarded(count: number): void;
}

/**
 * Defers socket writes to a `setImmediate` round so that pushes arriving in a burst (a batch
 * call, or several HTTP requests read in one event-loop turn) reach each socket as one corked
 * write, i.e. one `writev` syscall, rather than one syscall per frame.
 */
export function createWriteCoalescer(options: WriteCoalescerOptions): WriteCoalescer {
  let dirty: Connection[] = [];
  let tracked: PreparedPush[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
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
    if (pushes.length > 0) options.onWritten(pushes, Date.now());
  };

  return {
    enqueue(connection, prepared) {
      if (connection.queue.length === 0) dirty.push(connection);
      connection.queue.push(prepared);
      connection.queuedBytes += prepared.frame.length;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    track(prepared) {
      tracked.push(prepared);
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
