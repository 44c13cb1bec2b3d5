/** Ceiling of the first retry's delay, ms. */
export const BACKOFF_BASE_MS = 500;
/** Highest ceiling, ms: the doubling stops here. */
export const BACKOFF_MAX_MS = 20_000;

/** The ceiling after `failures` consecutive failures (0: the first retry): 500 ms doubling up to 20 s. */
export function backoffCeiling(failures: number): number {
  // 2 ** 6 * 500 already passes the maximum; capping the exponent keeps huge counts finite.
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(Math.max(0, failures), 16));
}

/**
 * Full jitter: a delay drawn uniformly below the ceiling, so clients cut at the same moment (a node
 * going away) spread their reconnects instead of arriving together. `random` returns [0, 1).
 */
export function backoffDelay(failures: number, random: () => number = Math.random): number {
  return random() * backoffCeiling(failures);
}
