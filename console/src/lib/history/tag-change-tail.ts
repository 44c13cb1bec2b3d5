import type { TagChangeEntry } from '@wsgw/gateway/protocol';

export interface TagChangeTail {
  /** Adds a snapshot's `recentTagChanges`; returns the tail, newest first (a new array when it changed). */
  apply(entries: readonly TagChangeEntry[]): readonly TagChangeEntry[];
  readonly entries: readonly TagChangeEntry[];
}

/** One change of one connection at one instant: a reconnecting feed may re-send the current second. */
const keyOf = (entry: TagChangeEntry) => `${entry.node}\u0000${entry.connection}\u0000${entry.at}\u0000${entry.added.join(',')}\u0000${entry.removed.join(',')}`;

/**
 * The tag changes of successive snapshots, newest first, capped at `capacity` rows (default 50);
 * an entry already shown is not added again.
 */
export function createTagChangeTail(capacity = 50): TagChangeTail {
  let entries: readonly TagChangeEntry[] = [];
  const seen = new Set<string>();
  return {
    apply(incoming) {
      const fresh = incoming.filter((entry) => !seen.has(keyOf(entry)));
      if (fresh.length === 0) return entries;
      for (const entry of fresh) seen.add(keyOf(entry));
      const merged = [...fresh, ...entries].sort((a, b) => b.at - a.at);
      for (const dropped of merged.slice(capacity)) seen.delete(keyOf(dropped));
      entries = merged.slice(0, capacity);
      return entries;
    },
    get entries() {
      return entries;
    },
  };
}
