import { createTokenBucket, type TokenBucket } from '../limits/token-bucket.ts';

/** New-connection attempts per client IP, each IP with its own token bucket. */
export interface ConnectRate {
  allow(ip: string): boolean;
  stop(): void;
}

export function createConnectRate(perSecond: number): ConnectRate {
  const buckets = new Map<string, TokenBucket>();
  // Forget IPs whose bucket has refilled, so the map does not grow with every address ever seen.
  const sweep = setInterval(() => {
    for (const [ip, bucket] of buckets) if (bucket.isFull()) buckets.delete(ip);
  }, 10_000);
  sweep.unref();
  return {
    allow(ip) {
      let bucket = buckets.get(ip);
      if (!bucket) buckets.set(ip, (bucket = createTokenBucket(perSecond, perSecond * 2)));
      return bucket.take();
    },
    stop: () => clearInterval(sweep),
  };
}
