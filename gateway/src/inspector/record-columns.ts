/**
 * The typed columns the push records are kept in (push-record-store.ts, fanout-table.ts): a
 * typed array's numbers live outside the collected heap, where a number held in an object is
 * boxed as one more object, and a column grows as its ring fills, up to the ring's size.
 */

/** Rows a column starts with. */
const FIRST_ROWS = 256;

type Column = Float64Array | Int32Array | Uint8Array;

/** The size a column grows to so that it holds `needed` rows: doubling, at most `max`. */
export function ringGrowth(allocated: number, needed: number, max: number): number {
  return Math.min(max, Math.max(needed, FIRST_ROWS, allocated * 2));
}

/** `column` copied into a new one of `size` rows. */
export function grown<T extends Column>(column: T, size: number): T {
  const next = new (column.constructor as new (size: number) => T)(size);
  next.set(column);
  return next;
}
