import type { NormalizedTarget } from '../push/push-envelope.ts';
import { sampledTraceId } from '../telemetry/trace-ids.ts';
import type { FanoutRecord } from './fanout-record.ts';

/** What a record is made from: the push as it reached this node (its envelope will do). */
export interface PushFacts {
  readonly id: string;
  readonly acceptedAt: number;
  readonly publishedAt: number;
  readonly to: NormalizedTarget;
  /** W3C traceparent of the push's trace, when it has one. */
  readonly trace?: string | undefined;
}

/**
 * What this node knows of one push: its acceptance (when it accepted it) and its fan-out here.
 * Tens of thousands of them live for minutes, and every one of their objects is visited by each
 * full collection: what can be a small integer or a string is kept as one (a one-user target as
 * its user, the record's own time as ms after publication), and the rest is rebuilt when read.
 */
export class PushRecord {
  readonly id: string;
  readonly acceptedAt: number;
  readonly publishedAt: number;
  /** This node answered the push's 202. */
  accepted = false;
  fanout: FanoutRecord | undefined = undefined;
  private readonly target: NormalizedTarget | string;
  private readonly recordedAfterMs: number;

  // The traceparent as the push carried it: its trace id is a slice of it, read when asked for
  // (a slice kept instead would be one more object, and would keep the whole string anyway).
  private readonly trace: string | undefined;

  constructor(push: PushFacts, now: number) {
    this.id = push.id;
    this.acceptedAt = push.acceptedAt;
    this.publishedAt = push.publishedAt;
    this.trace = push.trace;
    const { users, tags, all } = push.to;
    this.target = users.length === 1 && tags.length === 0 && !all ? users[0]! : push.to;
    this.recordedAfterMs = Math.round(now - push.publishedAt);
  }

  get to(): NormalizedTarget {
    return typeof this.target === 'string' ? { users: [this.target], tags: [], all: false } : this.target;
  }

  /** The trace id when the push's trace is sampled. */
  get traceId(): string | undefined {
    return sampledTraceId(this.trace);
  }

  /** Epoch ms the record was made (to the ms): what its age counts from. */
  get recordedAt(): number {
    return this.publishedAt + this.recordedAfterMs;
  }
}

export interface PushRecordStore {
  /** The push's record, made now when there is none. */
  obtain(push: PushFacts, now: number): PushRecord;
  get(id: string, now: number): PushRecord | undefined;
  /** The record whatever its age: for one made moments ago. */
  peek(id: string): PushRecord | undefined;
  readonly size: number;
}

export interface PushRecordStoreOptions {
  /** Records older than this are neither answered nor kept, ms (`WSGW_PUSH_RECORD_MS`). */
  maxAgeMs: number;
  /** Records kept at most; the oldest go first (`WSGW_PUSH_RECORD_MAX`). */
  capacity: number;
  /** Told of each record as it is indexed, in the order they were made (the user index's feed). */
  onIndexed?: (record: PushRecord) => void;
  /** Runs the deferred indexing; `setImmediate` unless a test drives it. */
  defer?: (run: () => void) => void;
}

/** Records made and not yet indexed at most: past this they are indexed at once. */
const UNINDEXED_MAX = 64;

/**
 * The push records of this node, bounded by age and count. Records are made in time order and
 * queued in that order beside the map, so expiry looks at the front of the queue only: no timer,
 * and each new record removes at most the ones it pushes out. (Not by iterating the map from its
 * front: a map keeps its deleted entries until it is rehashed, and every such walk would step
 * over all of them.)
 *
 * A record is made on the delivery path, before the push's first write: making it only queues it.
 * Putting it in the map (a hash of a fresh id into a table of up to `capacity` entries, and the
 * expiry that follows) waits for the end of the event loop's turn, after the writes, where the
 * turn's records are indexed together. A lookup before then indexes first; a record asked for
 * again in its own turn (the accepting node's fan-out after its acceptance) is found among the
 * few unindexed ones.
 */
export function createPushRecordStore({ maxAgeMs, capacity, onIndexed, defer = setImmediate }: PushRecordStoreOptions): PushRecordStore {
  const records = new Map<string, PushRecord>();
  let queue: PushRecord[] = [];
  let head = 0;
  // queue[indexed..] are made and not yet in the map.
  let indexed = 0;
  let deferred = false;

  const expire = (now: number) => {
    while (head < queue.length) {
      const oldest = queue[head]!;
      if (records.size <= capacity && now - oldest.recordedAt <= maxAgeMs) break;
      if (records.get(oldest.id) === oldest) records.delete(oldest.id);
      head += 1;
    }
    // The queue's consumed front is cut off once it is most of it: amortised O(1) per record.
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      indexed -= head;
      head = 0;
    }
  };
  const index = () => {
    if (indexed === queue.length) return;
    for (; indexed < queue.length; indexed += 1) {
      const record = queue[indexed]!;
      records.set(record.id, record);
      onIndexed?.(record);
    }
    expire(queue[queue.length - 1]!.recordedAt);
  };
  const indexAtTurnEnd = () => {
    deferred = false;
    index();
  };
  const unindexed = (id: string): PushRecord | undefined => {
    for (let at = queue.length - 1; at >= indexed; at -= 1) if (queue[at]!.id === id) return queue[at];
    return undefined;
  };

  return {
    obtain(push, now) {
      const known = unindexed(push.id) ?? records.get(push.id);
      if (known) return known;
      const record = new PushRecord(push, now);
      queue.push(record);
      if (queue.length - indexed > UNINDEXED_MAX) index();
      else if (!deferred) {
        deferred = true;
        defer(indexAtTurnEnd);
      }
      return record;
    },
    get(id, now) {
      index();
      const record = records.get(id);
      return record !== undefined && now - record.recordedAt <= maxAgeMs ? record : undefined;
    },
    peek: (id) => unindexed(id) ?? records.get(id),
    get size() {
      index();
      return records.size;
    },
  };
}
