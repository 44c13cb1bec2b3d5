import type { PushTailEntry } from '@wsgw/gateway/protocol';
import { createSnapshotTail, type SnapshotTail } from './snapshot-tail.ts';

export type PushTail = SnapshotTail<PushTailEntry>;

/** A push fans out once per node, so the same id may appear once for each node. */
const keyOf = (entry: PushTailEntry) => `${entry.node}\u0000${entry.id}`;

/** The live tail's pushes from successive snapshots, newest first, capped at `capacity` rows (default 100). */
export function createPushTail(capacity = 100): PushTail {
  return createSnapshotTail(keyOf, capacity);
}
