/**
 * Entries kept for a while and bounded in count: the first value remembered for a key stays, the
 * oldest go first once there are more than `capacity`, and one older than `maxAgeMs` is neither
 * returned nor kept. Keys must be remembered in the order of their age (`ageOf` never decreases
 * from one to the next), which lets expiry look only at the front of the map.
 */
export interface AgedEntries<V> {
  /** Keeps `value` unless `key` is already kept; `now` is the time entries are expired against. */
  remember(key: string, value: V, now: number): void;
  get(key: string, now: number): V | undefined;
}

export interface AgedEntriesOptions<V> {
  capacity: number;
  maxAgeMs: number;
  /** The epoch ms an entry's age counts from. */
  ageOf(value: V): number;
}

export function createAgedEntries<V>({ capacity, maxAgeMs, ageOf }: AgedEntriesOptions<V>): AgedEntries<V> {
  // Insertion order is age order: the oldest entries are at the front of the map.
  const entries = new Map<string, V>();
  const expire = (now: number) => {
    for (const [key, value] of entries) {
      if (entries.size <= capacity && now - ageOf(value) <= maxAgeMs) return;
      entries.delete(key);
    }
  };
  return {
    remember(key, value, now) {
      if (entries.has(key)) return;
      entries.set(key, value);
      expire(now);
    },
    get(key, now) {
      const value = entries.get(key);
      return value !== undefined && now - ageOf(value) <= maxAgeMs ? value : undefined;
    },
  };
}
