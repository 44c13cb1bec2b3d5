import { WebSocket } from 'ws';
import type { DropReason } from '../protocol.ts';
import { epochMs } from '../telemetry/clock.ts';
import type { Connection } from './connection.ts';
import { createOutbox, createOutboxWriter, discardFrames, pushFrame, ROUND_BYTES, writeHead, type Outbox } from './outbox.ts';
import type { PreparedPush, QueuedFrame } from './prepared-push.ts';

export { ROUND_BYTES, type Outbox };

export interface WriteCoalescer {
  /** The empty queue of a newly registered connection. */
  createOutbox(connection: Connection): Outbox;
  /** Queues a frame for the connection; it is written when the push is committed. */
  enqueue(outbox: Outbox, queued: QueuedFrame): void;
  /** Marks a push as part of the current round so its write count is reported. */
  track(prepared: PreparedPush): void;
  /** A push finished queueing: write now, or coalesce with the pushes still arriving. */
  commit(): void;
  /** Holds every write until the returned release is called (a batch of pushes). */
  hold(): () => void;
  /** Writes everything queued now, within each socket's backpressure (used before closing connections). */
  flush(): void;
  /** Drops the frames still queued for the connection (a slow consumer's backlog, or it closed); returns how many. */
  discard(outbox: Outbox, reason: DropReason): number;
  /** Writes all of the connection's queued frames now, past backpressure, so they precede its close frame. */
  writeBacklog(outbox: Outbox): void;
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

  const report = (pushes: readonly PreparedPush[]) => {
    if (pushes.length === 0) return;
    options.onWritten(pushes, epochMs());
    for (const prepared of pushes) prepared.written = 0;
  };

  const outboxes = createOutboxWriter({ report, onDiscarded: options.onDiscarded });

  const flush = () => {
    if (dirty.length === 0 && tracked.length === 0) return;
    const written = dirty;
    const pushes = tracked;
    dirty = [];
    tracked = [];
    let discarded = 0;
    for (const outbox of written) {
      if (!outboxes.writeQueued(outbox)) discarded += discardFrames(outbox, 'closed');
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
    createOutbox,
    enqueue(outbox, queued) {
      // A connection with frames still queued is either dirty already or waiting for 'drain'.
      if (outbox.frames.length === 0) dirty.push(outbox);
      pushFrame(outbox, queued);
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
    discard: discardFrames,
    writeBacklog(outbox) {
      if (outbox.frames.length === 0 || outbox.connection.ws.readyState !== WebSocket.OPEN) return;
      const late: PreparedPush[] = [];
      writeHead(outbox, Infinity, late);
      report(late);
    },
  };
}
