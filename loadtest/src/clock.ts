/**
 * Wall-clock time in epoch milliseconds with sub-millisecond resolution, shared by the load tester
 * and the fan-out benchmark.
 *
 * Send and receive stamps are taken in different processes (the driver and its client workers).
 * `process.hrtime` has a per-process meaning and `Date.now()` only whole milliseconds, so both sides
 * use their time origin plus the monotonic offset, which agree to a few microseconds on one machine.
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
