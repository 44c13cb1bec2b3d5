/**
 * Remembers when recent pushes were accepted, so a client's ack (which carries only the push id)
 * can be turned into push-to-ack latency. Bounded by count: the oldest entries go first.
 */
export interface RecentPushes {
  remember(id: string, acceptedAt: number): void;
  acceptedAt(id: string): number | undefined;
}

export function createRecentPushes(capacity = 100_000): RecentPushes {
  const entries = new Map<string, number>();
  return {
    remember(id, acceptedAt) {
      if (entries.has(id)) return;
      entries.set(id, acceptedAt);
      if (entries.size > capacity) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
    },
    acceptedAt: (id) => entries.get(id),
  };
}
