import type { PushTailEntry } from '@wsgw/gateway/protocol';

export interface PushTail {
  /** Adds a snapshot's `recentPushes`; returns the tail, newest first (a new array when it changed). */
  apply(entries: readonly PushTailEntry[]): readonly PushTailEntry[];
  readonly entries: readonly PushTailEntry[];
  clear(): void;
}

/** A push fans out once per node, so the same id may appear once for each node. */
const keyOf = (entry: PushTailEntry) => `${entry.node}\u0000${entry.id}`;

/**
 * The live tail: pushes from successive snapshots accumulated newest first and capped at
 * `capacity` rows (default 100). An entry already shown is not added again, which matters when a
 * reconnecting feed re-sends the current second.
 */
export function createPushTail(capacity = 100): PushTail {
  let entries: readonly PushTailEntry[] = [];
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
