import type { NormalizedTarget } from '../push/push-envelope.ts';
import type { FanoutRecord } from './fanout-record.ts';

/** What this node knows of one push: its acceptance (when it accepted it) and its fan-out here. */
export interface PushRecord {
  readonly id: string;
  readonly acceptedAt: number;
  readonly publishedAt: number;
  readonly to: NormalizedTarget;
  readonly traceId: string | undefined;
  /** Epoch ms the record was made: what its age counts from. */
  readonly recordedAt: number;
  /** This node answered the push's 202. */
  accepted: boolean;
  fanout: FanoutRecord | undefined;
}

export interface PushRecordStore {
  /** The push's record, made now when there is none. */
  obtain(push: Omit<PushRecord, 'recordedAt' | 'accepted' | 'fanout'>, now: number): PushRecord;
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
}

/**
 * The push records of this node, bounded by age and count. Records are made in time order and
 * queued in that order beside the map, so expiry looks at the front of the queue only: no timer,
 * and each new record removes at most the ones it pushes out. (Not by iterating the map from its
 * front: a map keeps its deleted entries until it is rehashed, and every such walk would step
 * over all of them.)
 */
export function createPushRecordStore({ maxAgeMs, capacity }: PushRecordStoreOptions): PushRecordStore {
  const records = new Map<string, PushRecord>();
  let queue: PushRecord[] = [];
  let head = 0;
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
      head = 0;
    }
  };
  return {
    obtain(push, now) {
      const known = records.get(push.id);
      if (known) return known;
      const record: PushRecord = { id: push.id, acceptedAt: push.acceptedAt, publishedAt: push.publishedAt, to: push.to, traceId: push.traceId, recordedAt: now, accepted: false, fanout: undefined };
      records.set(push.id, record);
      queue.push(record);
      expire(now);
      return record;
    },
    get(id, now) {
      const record = records.get(id);
      return record !== undefined && now - record.recordedAt <= maxAgeMs ? record : undefined;
    },
    peek: (id) => records.get(id),
    get size() {
      return records.size;
    },
  };
}
