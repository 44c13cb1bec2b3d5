/**
 * Pushes a node has already handed to its handlers, by id: a push appended to several streams
 * reaches a node once per stream subject (or channel) it watches, and is delivered once. Bounded
 * in count and age: a copy arrives right behind the first, from the same publish.
 */
export interface PushDedupe {
  /** True the first time `id` is seen (within the window), false for every copy after. */
  first(id: string): boolean;
}

/** Copies of one publish arrive within moments; this is far beyond any broker's delivery spread, ms. */
const WINDOW_MS = 10_000;
const CAPACITY = 100_000;

export function createPushDedupe(now: () => number = Date.now): PushDedupe {
  // Insertion order is age order, so expiry looks only at the front.
  const seen = new Map<string, number>();
  return {
    first(id) {
      const at = now();
      for (const [key, when] of seen) {
        if (seen.size < CAPACITY && at - when <= WINDOW_MS) break;
        seen.delete(key);
      }
      if (seen.has(id)) return false;
      seen.set(id, at);
      return true;
    },
  };
}
