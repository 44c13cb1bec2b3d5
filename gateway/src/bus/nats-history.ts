import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { NoRespondersError } from '@nats-io/transport-node';
import { MAX_RESUME_STREAMS, type StreamPosition } from '../protocol.ts';
import { streamsOfTarget } from '../push/streams.ts';
import { encodeBusMessage } from './bus-codec.ts';
import { parseBusMessage } from './bus-validation.ts';
import { BusUnavailableError, type BusMessage, type HistoryEntry, type HistoryLimits, type HistoryRead, type HistorySize, type OutgoingMessage, type StreamHistory, type StreamPositions } from './bus.ts';
import { historyLayout, subjectToken } from './nats-history-layout.ts';
import { counterLimits, ensureStream, entryLimits } from './nats-history-streams.ts';
import { createStreamCounters, type JetStreamAccess } from './nats-stream-counters.ts';
import type { Validation } from '../validation.ts';
import { fail } from '../validation.ts';

/** How often `size()` is brought up to date from the broker, ms. */
const SIZE_REFRESH_MS = 2000;
/**
 * A read that finds a position missing above one it holds looks again this many times, a little
 * later each time: another node may have taken the position and not yet written its push.
 */
const IN_FLIGHT_LOOKS = 3;
const IN_FLIGHT_PAUSE_MS = 15;
/** Held pushes a read goes through beyond `size`: pushes appended while it reads. */
const SCAN_SLACK = 64;
/** How often, at most, the streams' being unusable is logged, ms. */
const WARN_INTERVAL_MS = 10_000;

export interface NatsHistory extends StreamHistory {
  /** Appends the push to each stream it targets; resolves with the message and its positions once all are stored. */
  append(message: OutgoingMessage): Promise<BusMessage>;
  /** The connection came (back): check the JetStream streams again before the next use, and keep `size()` current. */
  connected(): void;
  stop(): void;
}

export interface NatsHistoryOptions {
  prefix: string;
  limits: HistoryLimits;
  access: JetStreamAccess;
  /** A held push or position that failed validation (a fixed phrase): counted as an invalid push. */
  onInvalid(reason: string): void;
  logger?: Logger;
}

/**
 * The streams' history in JetStream (PROTOCOL.md, "Stream history on NATS"). Appending a push
 * first reserves its position in every stream it targets (nats-stream-counters.ts), then stores
 * the push, with all those positions, on each stream's entry subject; a read goes through what
 * a stream's subject holds and checks each entry as strictly as a push from the bus.
 */
export function createNatsHistory(options: NatsHistoryOptions): NatsHistory {
  const { limits, access, onInvalid } = options;
  const layout = historyLayout(options.prefix);
  const counters = createStreamCounters(access, layout, onInvalid);
  let ensured: Promise<void> | undefined;
  let held: HistorySize = { streams: 0, messages: 0, bytes: 0 };
  let sizeTimer: NodeJS.Timeout | undefined;
  let warnedAt = -Infinity;

  const streamsReady = () => {
    ensured ??= (async () => {
      const { jsm } = access();
      await ensureStream(jsm, layout.counters, counterLimits(layout));
      await ensureStream(jsm, layout.entries, entryLimits(layout, limits));
    })();
    ensured.catch((error: unknown) => {
      ensured = undefined;
      if (error instanceof BusUnavailableError || Date.now() - warnedAt < WARN_INTERVAL_MS) return;
      warnedAt = Date.now();
      // Connected, yet every push is refused: a server without JetStream (`-js`) most likely.
      options.logger?.error({ bus: 'nats', err: error instanceof Error ? error.message : String(error) }, 'bus history streams unusable; pushes are refused');
    });
    return ensured;
  };

  /** Runs a JetStream operation; whatever keeps it from working becomes `BusUnavailableError`. */
  const guarded = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      access();
      await streamsReady();
      return await operation();
    } catch (error) {
      if (error instanceof BusUnavailableError) throw error;
      // The streams may be gone (deleted, the server's data lost): make them again next time.
      if (isStreamMissing(error)) ensured = undefined;
      throw new BusUnavailableError(`NATS JetStream: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const writeEntry = async (stream: string, message: BusMessage, stored: StreamPositions) => {
    const position = message.positions[stream]!;
    const body = encodeBusMessage({ ...message, positions: stored }, true);
    // The same id on a second try: a first one that was stored but not acknowledged counts once.
    const msgID = `${subjectToken(stream)}:${position.epoch}:${position.seq}`;
    const write = () => access().js.publish(layout.entrySubject(stream), body, { msgID });
    await write().catch((error: unknown) => {
      if (error instanceof JetStreamApiError) throw error;
      return write();
    });
  };

  /** What `stream` holds after `after` and up to `position`, oldest first, each entry checked. */
  const scan = async (stream: string, after: number, position: StreamPosition): Promise<HistoryEntry[]> => {
    const { jsm } = access();
    const subject = layout.entrySubject(stream);
    const found = new Map<number, HistoryEntry>();
    let cursor = 0;
    for (let looked = 0; looked < limits.size + SCAN_SLACK; looked += 1) {
      const stored = await jsm.direct.getMessage(layout.entries, { next_by_subj: subject, seq: cursor });
      if (!stored) break;
      cursor = stored.seq + 1;
      const entry = parseEntry(stored.string(), stream);
      if (!entry.ok) {
        onInvalid(entry.error);
        continue;
      }
      const { seq, epoch } = entry.value.message.positions[stream]!;
      // Another epoch's: left from before the stream's position was lost.
      if (epoch !== position.epoch || seq <= after || seq > position.seq) continue;
      if (found.has(seq)) onInvalid('a held push repeats a position');
      else found.set(seq, entry.value);
    }
    return [...found.values()].sort((x, y) => x.seq - y.seq);
  };

  const read = async (stream: string, after: StreamPosition): Promise<HistoryRead> => {
    const position = await counters.current(stream);
    if (after.epoch !== position.epoch || after.seq > position.seq) return { result: 'unknown_epoch', entries: [], position };
    if (after.seq === position.seq) return { result: 'recovered', entries: [], position };
    if (limits.size === 0) return { result: 'gap', entries: [], position };
    for (let look = 0; ; look += 1) {
      const entries = await scan(stream, after.seq, position);
      const verdict = judge(entries, after.seq, position.seq);
      if (verdict !== 'pending' || look >= IN_FLIGHT_LOOKS) return { result: verdict === 'recovered' ? 'recovered' : 'gap', entries, position };
      await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_PAUSE_MS * 2 ** look).unref());
    }
  };

  const refreshSize = async () => {
    try {
      const { jsm } = access();
      const { state } = await jsm.streams.info(layout.entries);
      held = { streams: state.num_subjects ?? 0, messages: state.messages, bytes: state.bytes };
    } catch {
      // Kept as it was: the next refresh tries again.
    }
  };

  return {
    append: (message) =>
      guarded(async () => {
        const streams = streamsOfTarget(message.push.to);
        // Reserved in the order of the calls: positions follow the order of this node's publishes.
        const reserved = await Promise.all(streams.map((stream) => counters.reserve(stream)));
        const positions: StreamPositions = Object.fromEntries(streams.map((stream, index) => [stream, reserved[index]!]));
        const appended: BusMessage = { ...message, positions };
        if (limits.size > 0) {
          await Promise.all(streams.map((stream) => writeEntry(stream, appended, storedPositions(positions, stream))));
        }
        return appended;
      }),
    positions: (streams) =>
      guarded(async () => {
        const found = await Promise.all(streams.map((stream) => counters.current(stream)));
        return Object.fromEntries(streams.map((stream, index) => [stream, found[index]!]));
      }),
    read: (stream, after) => guarded(() => read(stream, after)),
    size: () => held,
    connected() {
      ensured = undefined;
      // Made now rather than by the first push, which then need not wait, and a server without
      // JetStream is told in the log at once.
      streamsReady().catch(() => undefined);
      if (sizeTimer) return;
      void refreshSize();
      sizeTimer = setInterval(() => void refreshSize(), SIZE_REFRESH_MS);
      sizeTimer.unref();
    },
    stop() {
      clearInterval(sizeTimer);
      sizeTimer = undefined;
    },
  };
}

/**
 * The positions a held push carries. A replayed push tells the client its position in each of
 * the client's streams it was in, so all of them are kept; but a push to thousands of users
 * would store thousands of positions in each of thousands of entries, so past what one
 * connection can hold (`MAX_RESUME_STREAMS`) an entry keeps its own stream's only. A client then
 * may be replayed that push again in another stream: a repeat, never a skip.
 */
function storedPositions(positions: StreamPositions, stream: string): StreamPositions {
  const streams = Object.keys(positions);
  return streams.length <= MAX_RESUME_STREAMS ? positions : { [stream]: positions[stream]! };
}

/**
 * recovered: every position after the client's is held. gap: those held run unbroken to the
 * stream's position, and the missing ones are older (trimmed by count, age or bytes). pending:
 * one is missing above one held, or none is held: it may be on its way, so look again.
 */
function judge(entries: HistoryEntry[], after: number, top: number): 'recovered' | 'gap' | 'pending' {
  if (entries.length === top - after) return 'recovered';
  const lowest = entries[0]?.seq;
  if (lowest !== undefined && entries.length === top - lowest + 1) return 'gap';
  return 'pending';
}

/** A held push's text as an entry of `stream`, or why not: it must pass as a bus message and carry its position there. */
function parseEntry(text: string, stream: string): Validation<HistoryEntry> {
  const parsed = parseBusMessage(text);
  if (!parsed.ok) return parsed;
  const position = parsed.value.positions[stream];
  if (!position) return fail('a held push has no position in its stream');
  return { ok: true, value: { seq: position.seq, message: parsed.value } };
}

/** Whether the JetStream streams are missing: a lookup says so, or a write to their subjects found no stream to answer it (which the client reports as JetStream not enabled). */
function isStreamMissing(error: unknown): boolean {
  if (error instanceof JetStreamApiError) return error.code === JetStreamApiCodes.StreamNotFound;
  return error instanceof NoRespondersError || (error instanceof Error && error.name === 'JetStreamNotEnabled');
}
