export interface BackoffOptions {
  /** Ceiling of the first retry's delay, ms. Default 500. */
  initialMs?: number;
  /** Largest ceiling, ms. Default 10 000. */
  maxMs?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 500, maxMs: 10_000 };

/**
 * Delay before retry number `attempt` (0 for the first), ms: exponential growth of the ceiling
 * (`initialMs` doubling up to `maxMs`) with full jitter, so consoles cut by the same gateway
 * restart do not all come back in the same instant.
 *
 * @param random a source in [0, 1), Math.random by default (injectable for tests)
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialMs, maxMs } = { ...DEFAULT_BACKOFF, ...options };
  // Capping the exponent keeps 2 ** attempt finite however long the outage lasts.
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(ceiling * random());
}
