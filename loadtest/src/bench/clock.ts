/**
 * Wall-clock time in epoch milliseconds with sub-millisecond resolution.
 *
 * Send and receive stamps are taken in different processes (orchestrator and
 * client workers). `process.hrtime` has a per-process meaning and `Date.now()`
 * only whole milliseconds, so both sides use the time origin plus the
 * monotonic offset, which agree to a few microseconds on one machine.
 */
export const epochNowMs = (): number => performance.timeOrigin + performance.now();
