/** A fixed-capacity FIFO: pushing onto a full buffer drops the oldest item. */
export interface RingBuffer<T> {
  readonly capacity: number;
  readonly length: number;
  /** Appends `item`; returns the item it evicted, if the buffer was full. */
  push(item: T): T | undefined;
  /** The item `index` places from the oldest (0) — negative counts from the newest (-1). */
  at(index: number): T | undefined;
  /** Oldest first, as a new array. */
  toArray(): T[];
  clear(): void;
}

export function createRingBuffer<T>(capacity: number): RingBuffer<T> {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  const items = new Array<T | undefined>(capacity);
  // `start` is the slot of the oldest item; slots wrap around instead of shifting the array.
  let start = 0;
  let length = 0;

  return {
    capacity,
    get length() {
      return length;
    },
    push(item) {
      if (length < capacity) {
        items[(start + length) % capacity] = item;
        length += 1;
        return undefined;
      }
      const evicted = items[start];
      items[start] = item;
      start = (start + 1) % capacity;
      return evicted;
    },
    at(index) {
      const offset = index < 0 ? length + index : index;
      if (offset < 0 || offset >= length) return undefined;
      return items[(start + offset) % capacity];
    },
    toArray() {
      const out = new Array<T>(length);
      for (let i = 0; i < length; i += 1) out[i] = items[(start + i) % capacity] as T;
      return out;
    },
    clear() {
      items.fill(undefined);
      start = 0;
      length = 0;
    },
  };
}
