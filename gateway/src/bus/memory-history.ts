import { randomUUID } from 'node:crypto';
import { streamsOfTarget } from '../push/streams.ts';
import type { BusMessage, HistoryEntry, HistoryLimits, HistoryRead, HistorySize, OutgoingMessage, StreamHistory, StreamPositions } from './bus.ts';

/** Defaults of `WSGW_HISTORY_SIZE`, `WSGW_HISTORY_TTL` and `WSGW_HISTORY_MAX_BYTES`. */
export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { size: 100, ttlMs: 5 * 60_000, maxBytes: 64 * 1024 * 1024 };

/**
 * Streams that hold nothing are still remembered (their epoch and position), so that a client's
 * position stays meaningful; beyond this many, the longest idle are forgotten, and such a stream
 * starts again under a new epoch.
 */
const MAX_IDLE_STREAMS = 100_000;

/** What a held push is counted as beside its payload: ids, envelope fields, positions. */
const ENTRY_OVERHEAD_BYTES = 256;

interface Held {
  readonly stream: Stream;
  readonly seq: number;
  readonly message: BusMessage;
  readonly at: number;
  readonly bytes: number;
  /** False once trimmed from its stream (by count, age or the byte bound). */
  held: boolean;
}

interface Stream {
  readonly name: string;
  readonly epoch: string;
  seq: number;
  /** Held pushes, oldest first, from `head` on. */
  entries: Held[];
  head: number;
  /** Pushes held. */
  count: number;
  /** The highest position no longer held: a client behind it has missed something. */
  trimmedThrough: number;
}

/** The memory bus's streams: appended to and read in the process, bounded by count, age and bytes. */
export interface MemoryHistory extends StreamHistory {
  /** Appends the push to each stream it targets, and returns the message with its positions. */
  append(message: OutgoingMessage): BusMessage;
}

export function createMemoryHistory(limits: HistoryLimits = DEFAULT_HISTORY_LIMITS, now: () => number = Date.now): MemoryHistory {
  const streams = new Map<string, Stream>();
  // One epoch string for every stream this history starts, so thousands of idle connections'
  // streams share it instead of each holding a UUID of its own. Once it has forgotten a stream it
  // cannot tell a new stream from one it forgot: from then on each gets an epoch of its own.
  const epoch = randomUUID();
  let forgot = false;
  let started = 0;
  /** Every held push in the order appended, which is also age order: trimming by age and bytes looks at its front. */
  const order: Held[] = [];
  let orderHead = 0;
  let messages = 0;
  let bytes = 0;
  /** Streams holding at least one push. */
  let holding = 0;

  const streamOf = (name: string): Stream => {
    let stream = streams.get(name);
    if (stream) {
      // Map order is recency order: a stream appended to moves to the back.
      streams.delete(name);
      streams.set(name, stream);
      return stream;
    }
    stream = { name, epoch: forgot ? `${epoch}.${(started += 1)}` : epoch, seq: 0, entries: [], head: 0, count: 0, trimmedThrough: 0 };
    streams.set(name, stream);
    forgetIdle();
    return stream;
  };

  const forgetIdle = () => {
    if (streams.size <= MAX_IDLE_STREAMS) return;
    // Looks at the least recent few only: past the bound by one, one idle stream among them goes.
    let looked = 0;
    for (const [name, stream] of streams) {
      if (streams.size <= MAX_IDLE_STREAMS || (looked += 1) > 64) return;
      if (stream.count > 0) continue;
      streams.delete(name);
      forgot = true;
    }
  };

  const release = (entry: Held) => {
    if (!entry.held) return;
    entry.held = false;
    messages -= 1;
    bytes -= entry.bytes;
    const { stream } = entry;
    stream.trimmedThrough = Math.max(stream.trimmedThrough, entry.seq);
    stream.count -= 1;
    if (stream.count === 0) holding -= 1;
  };

  /** Drops a stream's oldest held pushes beyond its count. */
  const trimStream = (stream: Stream) => {
    compact(stream);
    while (stream.count > limits.size) release(stream.entries[stream.head++]!);
    compact(stream);
  };

  const compact = (stream: Stream) => {
    while (stream.head < stream.entries.length && !stream.entries[stream.head]!.held) stream.head += 1;
    // Released pushes are always a stream's oldest: they are cut from the front, now and then.
    if (stream.head > 32 && stream.head * 2 > stream.entries.length) {
      stream.entries = stream.entries.slice(stream.head);
      stream.head = 0;
    }
  };

  /** Drops, oldest first, what is past its age or over the byte bound. */
  const trimOldest = (at: number) => {
    while (orderHead < order.length) {
      const oldest = order[orderHead]!;
      if (oldest.held && at - oldest.at <= limits.ttlMs && bytes <= limits.maxBytes) break;
      release(oldest);
      compact(oldest.stream);
      orderHead += 1;
    }
    if (orderHead > 1024 && orderHead * 2 > order.length) {
      order.splice(0, orderHead);
      orderHead = 0;
    }
  };

  return {
    append(outgoing) {
      const at = now();
      const positions: StreamPositions = {};
      const message: BusMessage = { ...outgoing, positions };
      const size = outgoing.push.payload.length + outgoing.push.id.length + ENTRY_OVERHEAD_BYTES;
      for (const name of streamsOfTarget(outgoing.push.to)) {
        const stream = streamOf(name);
        stream.seq += 1;
        positions[name] = { epoch: stream.epoch, seq: stream.seq };
        if (limits.size === 0) {
          stream.trimmedThrough = stream.seq;
          continue;
        }
        const entry: Held = { stream, seq: stream.seq, message, at, bytes: size, held: true };
        stream.entries.push(entry);
        if (stream.count === 0) holding += 1;
        stream.count += 1;
        order.push(entry);
        messages += 1;
        bytes += size;
        trimStream(stream);
      }
      trimOldest(at);
      return message;
    },

    async positions(names) {
      const positions: StreamPositions = {};
      for (const name of names) {
        // A stream nothing was appended to stands at 0 under the epoch it will start with: until
        // something is appended it need not exist (idle users' streams cost nothing), unless
        // that epoch would be one of its own (once the history has forgotten streams).
        const stream = streams.get(name) ?? (forgot ? streamOf(name) : undefined);
        positions[name] = stream ? { epoch: stream.epoch, seq: stream.seq } : { epoch, seq: 0 };
      }
      return positions;
    },

    async read(name, after): Promise<HistoryRead> {
      trimOldest(now());
      const stream = streams.get(name) ?? (forgot ? streamOf(name) : undefined);
      if (!stream) return after.epoch === epoch && after.seq === 0 ? { result: 'recovered', entries: [], position: { epoch, seq: 0 } } : { result: 'unknown_epoch', entries: [], position: { epoch, seq: 0 } };
      const position = { epoch: stream.epoch, seq: stream.seq };
      if (after.epoch !== stream.epoch || after.seq > stream.seq) return { result: 'unknown_epoch', entries: [], position };
      const entries: HistoryEntry[] = [];
      for (let i = stream.head; i < stream.entries.length; i += 1) {
        const entry = stream.entries[i]!;
        if (entry.held && entry.seq > after.seq) entries.push({ seq: entry.seq, message: entry.message });
      }
      return { result: stream.trimmedThrough > after.seq ? 'gap' : 'recovered', entries, position };
    },

    size(): HistorySize {
      trimOldest(now());
      return { streams: holding, messages, bytes };
    },
  };
}
