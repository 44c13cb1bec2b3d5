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

/**
 * A class rather than closures: every connection holds two buckets, and fields on one object cost
 * a few dozen bytes where a closure pair with its context costs several hundred.
 */
class Bucket implements TokenBucket {
  private readonly ratePerSecond: number;
  private readonly burst: number;
  private tokens: number;
  private updatedAt: number;

  constructor(ratePerSecond: number, burst: number, now: number) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.tokens = burst;
    this.updatedAt = now;
  }

  take(now = performance.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  isFull(now = performance.now()): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    if (now <= this.updatedAt) return;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
  }
}

export function createTokenBucket(ratePerSecond: number, burst: number, now = performance.now()): TokenBucket {
  return new Bucket(ratePerSecond, burst, now);
}
