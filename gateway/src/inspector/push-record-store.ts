import type { NormalizedTarget } from '../push/push-envelope.ts';
import { sampledTraceId } from '../telemetry/trace-ids.ts';
import { grown, ringGrowth } from './record-columns.ts';

/** What a record is made from: the push as it reached this node (its envelope will do). */
export interface PushFacts {
  readonly id: string;
  readonly acceptedAt: number;
  readonly publishedAt: number;
  readonly to: NormalizedTarget;
  /** W3C traceparent of the push's trace, when it has one. */
  readonly trace?: string | undefined;
}

/** What a lookup answers when the store holds no record of the push. */
export const NO_RECORD = -1;

/**
 * What this node knows of its recent pushes, one row per push: the push's facts and whether this
 * node accepted it. A row is a slot number, stable for the record's life (the fan-out table keeps
 * its rows under the same number); a slot is reused only once its record has gone, so whoever
 * holds one across turns checks it still belongs to its push (`idAt`).
 */
export interface PushRecordStore {
  /** The slot of the push's record, made now when there is none. */
  obtain(push: PushFacts, now: number): number;
  /** The slot of the push's record, or `NO_RECORD` when there is none younger than the age limit. */
  find(id: string, now: number): number;
  /** The slot whatever the record's age: for one made moments ago. */
  peek(id: string): number;
  /** Records held (those past the bounds gone first, as at a turn's end). */
  readonly size: number;
  /** Slots are numbered 0 … rows - 1. */
  readonly rows: number;
  idAt(slot: number): string | undefined;
  acceptedAt(slot: number): number;
  publishedAt(slot: number): number;
  targetAt(slot: number): NormalizedTarget;
  /** The push names `user` in its target. */
  namesUser(slot: number, user: string): boolean;
  /** The trace id when the push's trace is sampled. */
  traceIdAt(slot: number): string | undefined;
  /** This node answered the push's 202. */
  isAccepted(slot: number): boolean;
  markAccepted(slot: number): void;
  /** The slots of the records younger than the age limit, newest first. */
  newestFirst(now: number): Iterable<number>;
}

export interface PushRecordStoreOptions {
  /** Records older than this are neither answered nor kept, ms (`WSGW_PUSH_RECORD_MS`). */
  maxAgeMs: number;
  /** Records kept at most; the oldest go first (`WSGW_PUSH_RECORD_MAX`). */
  capacity: number;
  /** Told of each record's slot as it goes, by age or count. */
  onExpired?: (slot: number) => void;
  /** Runs the deferred expiry; `setImmediate` unless a test drives it. */
  defer?: (run: () => void) => void;
}

/** Records a turn may make past the capacity before the oldest go at once rather than at its end. */
const EXPIRY_SLACK = 64;
const ACCEPTED = 1;

/**
 * The push records of this node, bounded by age and count, as columns: typed arrays for the times
 * and flags, plain arrays for the strings the push brought. Tens of thousands of records live for
 * minutes, and every object they hold is visited by each full collection and copied by the young
 * generation's when it survives: a row adds no object of its own (a one-user target is kept as
 * its user, a traceparent as the string the push carried), where an object per record, with the
 * boxed numbers its times need, made the collector's work grow with the records held.
 *
 * The rows are a ring in the order records were made, so expiry looks at its oldest end only: no
 * timer, and each turn removes at most the records it pushed out. The ring's columns grow by
 * doubling up to the capacity, so a node with few pushes holds little.
 *
 * A record is made on the delivery path, before the push's first write. Its id goes into the map
 * at once: the lookup that found no record has just hashed the id and reached its bucket, so the
 * insert that follows is the cheap part. What costs is letting the oldest go (a lookup of a
 * minutes-old id, out of every cache): that waits for the end of the event loop's turn, after the
 * writes. The ring has room for a turn's records beyond the capacity.
 */
export function createPushRecordStore({ maxAgeMs, capacity, onExpired, defer = setImmediate }: PushRecordStoreOptions): PushRecordStore {
  const ringSize = capacity + EXPIRY_SLACK;
  const slots = new Map<string, number>();
  const ids: Array<string | undefined> = [];
  const targets: Array<NormalizedTarget | string | undefined> = [];
  const traces: Array<string | undefined> = [];
  let allocated = 0;
  let acceptedAt = new Float64Array(0);
  let publishedAt = new Float64Array(0);
  let recordedAt = new Float64Array(0);
  let flags = new Uint8Array(0);
  // The ring: `count` rows from `head`, oldest first.
  let head = 0;
  let count = 0;
  let deferred = false;

  const slotAt = (position: number) => (head + position) % ringSize;
  const grow = (needed: number) => {
    const size = ringGrowth(allocated, needed, ringSize);
    acceptedAt = grown(acceptedAt, size);
    publishedAt = grown(publishedAt, size);
    recordedAt = grown(recordedAt, size);
    flags = grown(flags, size);
    allocated = size;
  };
  /** Lets go of the records past the count bound, and of those older than the age limit at `now`. */
  const expire = (now: number) => {
    while (count > 0 && (count > capacity || now - recordedAt[head]! > maxAgeMs)) {
      // Ids are unique in the ring: `obtain` makes no second row for an id it holds.
      slots.delete(ids[head]!);
      // The strings go with the record: a kept slot keeps nothing of its push alive.
      ids[head] = targets[head] = traces[head] = undefined;
      onExpired?.(head);
      head = (head + 1) % ringSize;
      count -= 1;
    }
  };
  /** As of the newest record's time: what the records themselves say, without reading the clock. */
  const expireAsOfNewest = () => {
    if (count > 0) expire(recordedAt[slotAt(count - 1)]!);
  };
  const expireAtTurnEnd = () => {
    deferred = false;
    expireAsOfNewest();
  };

  return {
    obtain(push, now) {
      const found = slots.get(push.id);
      if (found !== undefined) return found;
      // A turn that made more records than the slack holds: the oldest make room now.
      if (count === ringSize) expire(now);
      const slot = slotAt(count);
      if (slot >= allocated) grow(slot + 1);
      ids[slot] = push.id;
      slots.set(push.id, slot);
      const { users, tags, all } = push.to;
      targets[slot] = users.length === 1 && tags.length === 0 && !all ? users[0]! : push.to;
      traces[slot] = push.trace;
      acceptedAt[slot] = push.acceptedAt;
      publishedAt[slot] = push.publishedAt;
      recordedAt[slot] = now;
      flags[slot] = 0;
      count += 1;
      if (!deferred) {
        deferred = true;
        defer(expireAtTurnEnd);
      }
      return slot;
    },
    find(id, now) {
      const slot = slots.get(id);
      return slot !== undefined && now - recordedAt[slot]! <= maxAgeMs ? slot : NO_RECORD;
    },
    peek: (id) => slots.get(id) ?? NO_RECORD,
    get size() {
      expireAsOfNewest();
      return count;
    },
    rows: ringSize,
    idAt: (slot) => ids[slot],
    acceptedAt: (slot) => acceptedAt[slot]!,
    publishedAt: (slot) => publishedAt[slot]!,
    targetAt(slot) {
      const target = targets[slot]!;
      return typeof target === 'string' ? { users: [target], tags: [], all: false } : target;
    },
    namesUser(slot, user) {
      const target = targets[slot]!;
      return typeof target === 'string' ? target === user : target.users.includes(user);
    },
    traceIdAt: (slot) => sampledTraceId(traces[slot]),
    isAccepted: (slot) => (flags[slot]! & ACCEPTED) !== 0,
    markAccepted(slot) {
      flags[slot] = flags[slot]! | ACCEPTED;
    },
    *newestFirst(now) {
      for (let position = count - 1; position >= 0; position -= 1) {
        const slot = slotAt(position);
        if (now - recordedAt[slot]! <= maxAgeMs) yield slot;
      }
    },
  };
}
