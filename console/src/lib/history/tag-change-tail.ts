import type { TagChangeEntry } from '@wsgw/gateway/protocol';
import { createSnapshotTail, type SnapshotTail } from './snapshot-tail.ts';

export type TagChangeTail = SnapshotTail<TagChangeEntry>;

/** One change of one connection at one instant: a reconnecting feed may re-send the current second. */
const keyOf = (entry: TagChangeEntry) => `${entry.node}\u0000${entry.connection}\u0000${entry.at}\u0000${entry.added.join(',')}\u0000${entry.removed.join(',')}`;

/** The tag changes of successive snapshots, newest first, capped at `capacity` rows (default 50). */
export function createTagChangeTail(capacity = 50): TagChangeTail {
  return createSnapshotTail(keyOf, capacity);
}
