import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import type { HistoryLimits } from './bus.ts';
import type { NatsHistoryLayout } from './nats-history-layout.ts';

/**
 * Wsgw streams whose positions are kept, at most: past it the least recently appended to are
 * forgotten, and such a stream starts again under a new epoch (as the memory bus forgets idle ones).
 * A position is one small message (~200 bytes), so this bounds the counters near 200 MB.
 */
export const MAX_COUNTED_STREAMS = 1_000_000;
/** Longest duplicate window of the entries (ms): a retried write inside it is stored once. */
const DUPLICATE_WINDOW_MS = 10_000;
const NANOS_PER_MS = 1_000_000;
/** JetStream's code for "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;

type Limits = Pick<StreamConfig, 'subjects' | 'max_msgs_per_subject' | 'max_msgs' | 'max_age' | 'max_bytes' | 'discard' | 'duplicate_window' | 'allow_direct'>;

/**
 * The positions never expire by age: a stream whose pushes all aged out still stands where it
 * was, and its next push takes the next position under the same epoch.
 */
export function counterLimits(layout: NatsHistoryLayout): Limits {
  return {
    subjects: [layout.counterSubjects],
    max_msgs_per_subject: 1,
    max_msgs: MAX_COUNTED_STREAMS,
    max_age: 0,
    max_bytes: -1,
    discard: DiscardPolicy.Old,
    duplicate_window: DUPLICATE_WINDOW_MS * NANOS_PER_MS,
    allow_direct: true,
  };
}

/**
 * The pushes: the last `size` of each wsgw stream (one at least: JetStream reads 0 as no limit;
 * with `size: 0` nothing is written there), for `ttlMs`, all of them within `maxBytes`, oldest first.
 */
export function entryLimits(layout: NatsHistoryLayout, limits: HistoryLimits): Limits {
  return {
    subjects: [layout.entrySubjects],
    max_msgs_per_subject: Math.max(1, limits.size),
    max_msgs: -1,
    max_age: limits.ttlMs * NANOS_PER_MS,
    max_bytes: limits.maxBytes > 0 ? limits.maxBytes : -1,
    discard: DiscardPolicy.Old,
    // JetStream refuses a duplicate window longer than the age limit.
    duplicate_window: Math.min(limits.ttlMs, DUPLICATE_WINDOW_MS) * NANOS_PER_MS,
    allow_direct: true,
  };
}

/**
 * Makes the stream `name` hold `limits`: creates it when missing, updates it when it holds others.
 * Safe when several nodes do it at once: an identical create is a no-op for JetStream, and a
 * create that lost the race to a different configuration becomes an update.
 */
export async function ensureStream(jsm: JetStreamManager, name: string, limits: Limits): Promise<void> {
  const existing = await jsm.streams.info(name).catch((error: unknown) => {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw error;
  });
  if (!existing) {
    try {
      await jsm.streams.add({ name, storage: StorageType.File, ...limits });
      return;
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE)) throw error;
    }
  } else if (holds(existing.config, limits)) return;
  const current = existing ?? (await jsm.streams.info(name));
  await jsm.streams.update(name, { ...current.config, ...limits });
}

function holds(config: StreamConfig, limits: Limits): boolean {
  return Object.entries(limits).every(([key, value]) => JSON.stringify(config[key as keyof StreamConfig]) === JSON.stringify(value));
}
