import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { encodeBusMessageHead } from './bus-codec.ts';
import { BusUnavailableError, type HistoryLimits, type HistoryRead, type HistorySize, type OutgoingMessage, type StreamHistory, type StreamPositions } from './bus.ts';
import { streamsOfTarget } from '../push/streams.ts';
import { heldEntries, type DropInvalid } from './redis-history-entries.ts';
import { APPEND_SCRIPT, POSITIONS_SCRIPT, READ_SCRIPT, SIZE_SCRIPT } from './redis-history-scripts.ts';
import type { RedisScript, RedisScriptClient } from './redis-script.ts';

/** How often each node asks Redis what the prefix holds, and how long an answer serves them all, ms. */
const SIZE_REFRESH_MS = 2000;
/** Streams counted one by one at each refresh; beyond them the count is scaled up. */
const SIZE_SAMPLE = 1000;
/** Shortest time a stream's epoch and position outlive its last append, ms. */
const MIN_META_TTL_MS = 24 * 60 * 60_000;

export interface RedisHistoryOptions {
  client: RedisScriptClient;
  prefix: string;
  /** A stream's channel: the append script publishes there each push it stores in the stream. */
  channelOf(stream: string): string;
  /** The channel of pushes to more streams than are published on each (`ROUTED_COPIES`). */
  fanOut: string;
  limits: HistoryLimits;
  /** Throws `BusUnavailableError` unless the client can take commands now. */
  refuseUnlessConnected(): void;
  dropInvalid: DropInvalid;
  logger?: Logger;
}

/**
 * Where the prefix's history lives: per stream a meta hash and a Redis stream, named by the
 * stream's name in base64url (no `:`, at least 2 characters), so no user or tag name can reach
 * another stream's keys or another prefix's; and the index of streams holding pushes.
 */
export function redisHistoryKeys(prefix: string) {
  const named = (kind: string) => (stream: string) => `${prefix}:${kind}:${Buffer.from(stream).toString('base64url')}`;
  return {
    meta: named('m'),
    history: named('h'),
    /** The history keys' common start. */
    histories: `${prefix}:h:`,
    body: () => `${prefix}:b:${randomUUID()}`,
    index: `${prefix}:i`,
    /** The last answer of the size script. */
    size: `${prefix}:s`,
  };
}

/** The history, and the append that `publish` is made of. */
export interface RedisHistory extends StreamHistory {
  /** Stores the push in each stream it targets and publishes it with its positions, in one script. */
  append(message: OutgoingMessage): Promise<StreamPositions>;
  /** Stops the background size refresh. */
  stop(): void;
}

/**
 * The streams' history kept in Redis for the prefix, shared by every node: see the scripts in
 * redis-history-scripts.ts, and gateway/PROTOCOL.md for the layout and its limits.
 */
export function createRedisHistory(options: RedisHistoryOptions): RedisHistory {
  const { client, prefix, limits } = options;
  const metaTtl = String(Math.max(MIN_META_TTL_MS, 10 * limits.ttlMs));
  const keys = redisHistoryKeys(prefix);
  const streamKeys = (streams: readonly string[]) => streams.flatMap((stream) => [keys.meta(stream), keys.history(stream)]);
  let size: HistorySize = { streams: 0, messages: 0, bytes: 0 };

  /** Runs a script, any failure being the bus's unavailability. */
  const run = async (script: RedisScript, scriptKeys: string[], args: string[]): Promise<unknown[]> => {
    options.refuseUnlessConnected();
    try {
      const reply = await script.run(client, scriptKeys, args);
      if (!Array.isArray(reply)) throw new Error('unexpected script reply');
      return reply;
    } catch (error) {
      throw new BusUnavailableError(`Redis history: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const positionsOf = (streams: readonly string[], flat: unknown[]): StreamPositions =>
    Object.fromEntries(streams.map((stream, i) => [stream, { epoch: String(flat[2 * i]), seq: Number(flat[2 * i + 1]) }]));

  const refreshSize = async () => {
    const args = [String(limits.ttlMs), String(SIZE_SAMPLE), String(SIZE_REFRESH_MS), keys.histories];
    const [streams, counted, messages, bytes] = (await SIZE_SCRIPT.run(client, [keys.index, keys.size], args)) as number[];
    // Past the sample, the streams not counted are taken to hold what the counted ones do on average.
    const scale = counted! > 0 ? streams! / counted! : 0;
    size = { streams: streams!, messages: Math.round(messages! * scale), bytes: Math.round(bytes! * scale) };
  };
  const timer = setInterval(() => {
    refreshSize().catch((error: unknown) => options.logger?.debug({ bus: 'redis', error: String(error) }, 'history size not refreshed'));
  }, SIZE_REFRESH_MS);
  timer.unref();

  return {
    async append(message) {
      const streams = [...new Set(streamsOfTarget(message.push.to))];
      const args = [randomUUID(), String(limits.size), String(limits.ttlMs), metaTtl, options.fanOut, encodeBusMessageHead(message), ...streams, ...streams.map(options.channelOf)];
      return positionsOf(streams, await run(APPEND_SCRIPT, [...streamKeys(streams), keys.body(), keys.index], args));
    },

    async positions(streams) {
      return positionsOf(streams, await run(POSITIONS_SCRIPT, streamKeys(streams), [randomUUID(), metaTtl]));
    },

    async read(stream, after): Promise<HistoryRead> {
      // A position no stream can have reads nothing, and is then unknown to the stream.
      const usable = Number.isSafeInteger(after.seq) && after.seq >= 0;
      const args = [randomUUID(), metaTtl, usable ? after.epoch : '', `${usable ? after.seq + 1 : 0}-0`, String(limits.size)];
      const [epoch, seq, now, ...flat] = await run(READ_SCRIPT, streamKeys([stream]), args);
      const position = { epoch: String(epoch), seq: Number(seq) };
      if (!usable || after.epoch !== position.epoch || after.seq > position.seq) return { result: 'unknown_epoch', entries: [], position };
      const entries = heldEntries(stream, position, flat, Number(now) - limits.ttlMs, options.dropInvalid);
      // Recovered only if every position after the client's is among the held entries.
      const complete = entries.length === position.seq - after.seq && (entries.length === 0 || entries[0]!.seq === after.seq + 1);
      return { result: complete ? 'recovered' : 'gap', entries, position };
    },

    size: () => size,
    stop: () => clearInterval(timer),
  };
}
