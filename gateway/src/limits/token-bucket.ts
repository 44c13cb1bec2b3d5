/**
 * A token bucket: `take()` succeeds while tokens remain; tokens refill continuously at
 * `ratePerSecond` up to `burst`. Used for inbound frame rates, invalid-frame tolerance and
 * connection attempts per IP.
 */
export interface TokenBucket {
  take(now?: number): boolean;
  /** True when the bucket is full again, so an idle bucket can be forgotten. */
  isFull(now?: number): boolean;
}

export function createTokenBucket(ratePerSecond: number, burst: number, now = performance.now()): TokenBucket {
  let tokens = burst;
  let updatedAt = now;
  const refill = (now: number) => {
    if (now <= updatedAt) return;
    tokens = Math.min(burst, tokens + ((now - updatedAt) / 1000) * ratePerSecond);
    updatedAt = now;
  };
  return {
    take(now = performance.now()) {
      refill(now);
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    isFull(now = performance.now()) {
      refill(now);
      return tokens >= burst;
    },
  };
}
