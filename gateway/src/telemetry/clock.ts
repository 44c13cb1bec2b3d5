/**
 * Epoch milliseconds with sub-millisecond resolution. `Date.now()` whole milliseconds would put
 * every fast delivery in the same histogram bucket; this reads the monotonic clock against the
 * process's time origin instead.
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
