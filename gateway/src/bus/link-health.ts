import type { BusHealth } from './bus.ts';

export interface LinkHealth {
  up(): void;
  down(reason: string): void;
  /** A subscription is live (again). */
  subscribed(subject: string): void;
  /** A subscription ended while the connection stayed up. */
  subscriptionLost(subject: string, reason: string): void;
  /** Whether publishing can work: the connection is up, whatever the subscriptions. */
  canPublish(): boolean;
  /**
   * Resolves once the connection is up and `subject`'s subscription is live: at once if they are
   * now, else when they next become so. Never rejects: it stays pending on a link that never gets there.
   */
  whenLive(subject: string): Promise<void>;
  health(): BusHealth;
}

/**
 * A broker bus's health from two facts: the connection, and each subscription. The node is
 * healthy only with both (a node that hears nothing must not call itself ready), and
 * `connectedSince` marks when that last became true, so membership knows how long it has had
 * to hear its peers. Each time it becomes true again counts as a reconnect.
 */
export function createLinkHealth(initialReason: string): LinkHealth {
  let connectionUp = false;
  let connectionReason: string | undefined = initialReason;
  const lost = new Map<string, string>();
  let reconnects = 0;
  let everConnected = false;
  let health: BusHealth = { connected: false, reason: initialReason, reconnects };
  const waiting = new Set<{ subject: string; resolve(): void }>();

  const live = (subject: string) => connectionUp && !lost.has(subject);
  const wake = () => {
    for (const waiter of waiting) {
      if (!live(waiter.subject)) continue;
      waiting.delete(waiter);
      waiter.resolve();
    }
  };

  const refresh = () => {
    const reason = connectionUp ? lost.values().next().value : connectionReason;
    if (reason !== undefined) health = { connected: false, reason, reconnects };
    else if (!health.connected) {
      if (everConnected) reconnects += 1;
      everConnected = true;
      health = { connected: true, reconnects, connectedSince: Date.now() };
    }
  };

  return {
    up() {
      connectionUp = true;
      connectionReason = undefined;
      refresh();
      wake();
    },
    down(reason) {
      connectionUp = false;
      connectionReason = reason;
      refresh();
    },
    subscribed(subject) {
      lost.delete(subject);
      refresh();
      wake();
    },
    subscriptionLost(subject, reason) {
      lost.set(subject, reason);
      refresh();
    },
    canPublish: () => connectionUp,
    whenLive(subject) {
      if (live(subject)) return Promise.resolve();
      return new Promise((resolve) => waiting.add({ subject, resolve }));
    },
    health: () => health,
  };
}
