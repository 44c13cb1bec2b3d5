import type { Logger } from 'pino';
import type { Bus, BusMessage, StreamHistory } from '../bus/bus.ts';
import type { StreamPosition } from '../protocol.ts';
import { watchBusReturns } from '../bus/bus-returns.ts';
import { createPushDedupe } from '../bus/push-dedupe.ts';

/**
 * How long a missing position may take to arrive before the node reads it from the history, ms:
 * pushes accepted on different nodes at the same moment may reach a node out of position order.
 */
export const GAP_WAIT_MS = 500;
/** How often the node looks for a bus that came back, ms. */
const LINK_CHECK_MS = 200;
/** History reads in flight at once when a node catches up on many streams. */
const READ_CONCURRENCY = 16;
/** Positions seen beyond a gap, per stream, at most: past that the stream is caught up from the history. */
const MAX_AHEAD = 1024;

export interface StreamContinuityOptions {
  bus: Pick<Bus, 'health'>;
  history: StreamHistory;
  /** Whether this node still watches the stream (a gap in a stream it let go needs no filling). */
  watches(stream: string): boolean;
  /** Delivers a push the node missed to its connections. */
  deliver(message: BusMessage): void;
  logger: Logger;
}

export interface StreamContinuity {
  /** Every push the bus hands this node, its own included. */
  seen(message: BusMessage): void;
  /** The node no longer watches `stream`: it stops following it. */
  forget(stream: string): void;
  stop(): void;
}

interface Followed {
  epoch: string;
  /** Every position up to here reached the node. */
  seq: number;
  ahead?: Set<number>;
  timer?: NodeJS.Timeout;
  /** Reads since the node last moved on: a position still missing after a few is given up. */
  tries?: number;
}

/** Reads of one gap before the node stops waiting for it (a position taken and never stored). */
const MAX_TRIES = 4;

/**
 * Keeps the pushes of each stream the node watches contiguous on the node: a position that does
 * not arrive (the broker dropped it, the node's subscription was being renewed, its bus was down)
 * is read from the history and delivered to the node's connections, so an open connection does
 * not miss it until it reconnects. Streams are followed from the first push the node sees in them.
 */
export function createStreamContinuity(options: StreamContinuityOptions): StreamContinuity {
  const { history, logger } = options;
  const followed = new Map<string, Followed>();
  const delivered = createPushDedupe();
  let stopped = false;

  const advance = (state: Followed) => {
    while (state.ahead?.delete(state.seq + 1)) state.seq += 1;
    if (state.ahead?.size === 0) state.ahead = undefined;
    if (!state.ahead && state.timer) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
  };

  /** Reads what the stream holds after the node's position and delivers what did not reach it. */
  const fill = async (stream: string, state: Followed) => {
    state.timer = undefined;
    if (stopped || !options.watches(stream)) return void followed.delete(stream);
    try {
      const read = await history.read(stream, { epoch: state.epoch, seq: state.seq });
      if (read.result === 'unknown_epoch') {
        followed.set(stream, { epoch: read.position.epoch, seq: read.position.seq });
        return;
      }
      for (const entry of read.entries) {
        if (entry.seq <= state.seq || state.ahead?.has(entry.seq)) continue;
        // A push of several streams may have reached the node through another of them.
        if (!severalStreams(entry.message) || delivered.first(entry.message.push.id)) {
          options.deliver(entry.message);
        }
        (state.ahead ??= new Set()).add(entry.seq);
      }
      // What the history no longer holds is gone for the node too: its clients see the gap in
      // their positions and learn what was lost when they resume.
      if (read.result === 'gap') {
        const firstHeld = read.entries.find((entry) => entry.seq > state.seq)?.seq ?? read.position.seq + 1;
        state.seq = Math.max(state.seq, firstHeld - 1);
      }
      const before = state.seq;
      advance(state);
      if (!state.ahead) return void (state.tries = undefined);
      // Still a hole below what arrived: its push may be on its way; past a few reads, move on.
      state.tries = state.seq > before ? 1 : (state.tries ?? 0) + 1;
      if (state.tries >= MAX_TRIES) {
        state.seq = Math.min(...state.ahead) - 1;
        state.tries = undefined;
        advance(state);
      }
      if (state.ahead) expect(stream, state);
    } catch (error) {
      logger.debug({ stream, err: error }, 'stream history unavailable: the gap is filled once the bus is back');
    }
  };

  const expect = (stream: string, state: Followed) => {
    state.timer ??= setTimeout(() => void fill(stream, state), GAP_WAIT_MS).unref();
  };

  // A bus that comes back may have dropped pushes while it was away: every followed stream is read.
  const stopWatching = watchBusReturns(options.bus, LINK_CHECK_MS, () => void catchUp());

  const catchUp = async () => {
    const streams = [...followed.entries()];
    for (let i = 0; i < streams.length && !stopped; i += READ_CONCURRENCY) {
      await Promise.all(streams.slice(i, i + READ_CONCURRENCY).map(([stream, state]) => fill(stream, state)));
    }
  };

  const see = (stream: string, position: StreamPosition) => {
    const state = followed.get(stream);
    if (!state || state.epoch !== position.epoch) {
      followed.set(stream, { epoch: position.epoch, seq: position.seq });
      return;
    }
    if (position.seq <= state.seq) return;
    if (position.seq === state.seq + 1) {
      state.seq += 1;
      return advance(state);
    }
    state.ahead ??= new Set();
    state.ahead.add(position.seq);
    if (state.ahead.size > MAX_AHEAD) return void fill(stream, state);
    expect(stream, state);
  };

  return {
    seen(message) {
      if (severalStreams(message)) delivered.first(message.push.id);
      for (const stream in message.positions) {
        if (options.watches(stream)) see(stream, message.positions[stream]!);
      }
    },
    forget(stream) {
      clearTimeout(followed.get(stream)?.timer);
      followed.delete(stream);
    },
    stop() {
      stopped = true;
      stopWatching();
      for (const state of followed.values()) clearTimeout(state.timer);
    },
  };
}

function severalStreams(message: BusMessage): boolean {
  let count = 0;
  for (const _ in message.positions) if (++count > 1) return true;
  return false;
}
