/** Default number of push ids remembered for duplicate suppression. */
export const DEFAULT_RECENT_IDS = 10_000;

/** The ids of the latest pushes, to drop one that arrives twice (replayed after it was seen live). */
export interface RecentIds {
  /** Remembers `id`; false when it was already among the remembered ones. */
  remember(id: string): boolean;
  readonly size: number;
}

/**
 * Remembers at most `limit` ids, forgetting the oldest first: a replay only repeats pushes of the
 * last moments before a disconnect, so the newest ids are the ones worth holding.
 */
export function createRecentIds(limit: number = DEFAULT_RECENT_IDS): RecentIds {
  // A Set iterates in insertion order: its first value is the oldest id.
  const ids = new Set<string>();
  return {
    remember(id) {
      if (ids.has(id)) return false;
      ids.add(id);
      if (ids.size > limit) ids.delete(ids.values().next().value as string);
      return true;
    },
    get size() {
      return ids.size;
    },
  };
}
