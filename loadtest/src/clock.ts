/**
 * Epoch milliseconds with sub-millisecond resolution, comparable between the driver and its worker
 * processes on one machine (each reads the monotonic clock against its own time origin).
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
