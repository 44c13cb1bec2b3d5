/** Rows of successive snapshots, newest first: the live tail's pushes, its tag changes. */
export interface SnapshotTail<T> {
  /** Adds a snapshot's entries; returns the tail, newest first (a new array when it changed). */
  apply(entries: readonly T[]): readonly T[];
  readonly entries: readonly T[];
  clear(): void;
}

/**
 * Entries accumulated newest first (by `at`) and capped at `capacity` rows. An entry whose
 * `keyOf` was already shown is not added again: a reconnecting feed re-sends the current second.
 */
export function createSnapshotTail<T extends { at: number }>(keyOf: (entry: T) => string, capacity: number): SnapshotTail<T> {
  let entries: readonly T[] = [];
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
    clear() {
      entries = [];
      seen.clear();
    },
  };
}
