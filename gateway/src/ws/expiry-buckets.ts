/**
 * Items filed by the whole second they fall due in: one `Set` per second that has any, so filing,
 * moving and removing an item cost a map lookup each, whatever the number of items, and taking
 * what is due costs the seconds passed (or the buckets held, when fewer) plus the items taken.
 *
 * The policy, in three rules:
 * 1. An item is in at most one bucket; filing it again moves it.
 * 2. `takeDue(s)` removes and returns every item filed under a second up to `s`, earliest first.
 * 3. An item filed under a second already taken goes into the next second to be taken, so it is
 *    never lost behind the cursor.
 */
export interface ExpiryBuckets<T> {
  /** Files `item` under `second` (epoch seconds), moving it out of any bucket it was in. */
  add(item: T, second: number): void;
  /** Takes `item` out; false when it was in no bucket. */
  remove(item: T): boolean;
  has(item: T): boolean;
  /** Removes and returns every item filed under `second` or earlier, earliest second first. */
  takeDue(second: number): T[];
  /** Items filed. */
  readonly size: number;
  /** Seconds that have at least one item (a bucket is dropped with its last item). */
  readonly buckets: number;
}

/** `start`: the second up to which everything counts as taken already (now, usually). */
export function createExpiryBuckets<T>(start: number): ExpiryBuckets<T> {
  const buckets = new Map<number, Set<T>>();
  const secondOf = new Map<T, number>();
  let taken = start;

  const remove = (item: T): boolean => {
    const second = secondOf.get(item);
    if (second === undefined) return false;
    secondOf.delete(item);
    const bucket = buckets.get(second)!;
    bucket.delete(item);
    if (bucket.size === 0) buckets.delete(second);
    return true;
  };

  /** The seconds up to `second` that may hold items: walked one by one, or read from the map when it holds fewer. */
  const dueSeconds = (second: number): Iterable<number> => {
    if (second - taken <= buckets.size) return secondsBetween(taken + 1, second);
    return [...buckets.keys()].filter((key) => key <= second).sort((a, b) => a - b);
  };

  return {
    add(item, second) {
      remove(item);
      const at = Math.max(second, taken + 1);
      let bucket = buckets.get(at);
      if (!bucket) buckets.set(at, (bucket = new Set()));
      bucket.add(item);
      secondOf.set(item, at);
    },
    remove,
    has: (item) => secondOf.has(item),
    takeDue(second) {
      const due: T[] = [];
      if (second <= taken) return due;
      for (const key of dueSeconds(second)) {
        const bucket = buckets.get(key);
        if (!bucket) continue;
        buckets.delete(key);
        for (const item of bucket) {
          secondOf.delete(item);
          due.push(item);
        }
      }
      taken = second;
      return due;
    },
    get size() {
      return secondOf.size;
    },
    get buckets() {
      return buckets.size;
    },
  };
}

function* secondsBetween(from: number, to: number): IterableIterator<number> {
  for (let second = from; second <= to; second += 1) yield second;
}
