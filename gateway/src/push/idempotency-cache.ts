/**
 * Remembers the outcome of pushes by caller-supplied id for a time window, so a retried push is
 * answered with the first result instead of being delivered again. The pending promise is stored,
 * so a retry racing the original waits for the same answer.
 */
export interface IdempotencyCache<T> {
  get(id: string, now?: number): Promise<T> | undefined;
  set(id: string, result: Promise<T>, now?: number): void;
  delete(id: string): void;
  readonly size: number;
}

export function createIdempotencyCache<T>(windowMs: number, capacity = 1_000_000): IdempotencyCache<T> {
  // Insertion order is expiry order because every entry lives for the same window.
  const entries = new Map<string, { expiresAt: number; result: Promise<T> }>();
  const evict = (now: number) => {
    for (const [id, entry] of entries) {
      if (entry.expiresAt > now && entries.size <= capacity) break;
      entries.delete(id);
    }
  };
  return {
    get(id, now = Date.now()) {
      const entry = entries.get(id);
      if (!entry) return undefined;
      if (entry.expiresAt <= now) {
        entries.delete(id);
        return undefined;
      }
      return entry.result;
    },
    set(id, result, now = Date.now()) {
      entries.delete(id);
      entries.set(id, { expiresAt: now + windowMs, result });
      evict(now);
    },
    delete(id) {
      entries.delete(id);
    },
    get size() {
      return entries.size;
    },
  };
}
