import type { Bus } from '../bus/bus.ts';

/** How many connections another node wrote a push to. */
interface Receipt {
  push: string;
  /** The node that accepted the push and waits for receipts. */
  to: string;
  recipients: number;
}

export interface ClusterCount {
  /** Connections on the other nodes that answered. */
  recipients: number;
  /** False when a live peer did not answer within the wait. */
  complete: boolean;
}

export interface Receipts {
  /** Called by a node that delivered a push published by `origin`. */
  send(push: string, origin: string, recipients: number): void;
  /** Waits for the receipts of `peers` for `push`, at most `waitMs`. */
  collect(push: string, peers: string[], waitMs: number): Promise<ClusterCount>;
  stop(): void;
}

const TOPIC = 'receipt';

/**
 * Cluster-wide recipient counts: every node that delivers a push sends the accepting node a
 * receipt; the accepting node adds up what arrives within the wait and says whether everyone
 * answered, rather than guessing.
 */
export function createReceipts(nodeId: string, bus: Bus): Receipts {
  const waiting = new Map<string, { expected: Set<string>; count: ClusterCount; done(): void }>();
  // Receipts can beat the registration of their push (a fast peer): keep them for a moment.
  const early = new Map<string, Array<{ from: string; recipients: number }>>();

  const apply = (push: string, from: string, recipients: number) => {
    const entry = waiting.get(push);
    if (!entry) {
      const list = early.get(push) ?? [];
      list.push({ from, recipients });
      early.set(push, list);
      setTimeout(() => early.delete(push), 5000).unref();
      return;
    }
    if (!entry.expected.delete(from)) return;
    entry.count.recipients += recipients;
    if (entry.expected.size === 0) entry.done();
  };

  const unsubscribe = bus.onSignal((signal) => {
    if (signal.topic !== TOPIC) return;
    const receipt = signal.body as Receipt;
    if (receipt.to === nodeId) apply(receipt.push, signal.origin, receipt.recipients);
  });

  return {
    send(push, origin, recipients) {
      bus.signal({ origin: nodeId, topic: TOPIC, body: { push, to: origin, recipients } satisfies Receipt }).catch(() => undefined);
    },
    collect(push, peers, waitMs) {
      if (peers.length === 0) return Promise.resolve({ recipients: 0, complete: true });
      return new Promise((resolve) => {
        const count: ClusterCount = { recipients: 0, complete: false };
        const finish = () => {
          clearTimeout(timer);
          waiting.delete(push);
          resolve(count);
        };
        const timer = setTimeout(finish, waitMs);
        waiting.set(push, {
          expected: new Set(peers),
          count,
          done: () => {
            count.complete = true;
            finish();
          },
        });
        for (const { from, recipients } of early.get(push) ?? []) apply(push, from, recipients);
        early.delete(push);
      });
    },
    stop: unsubscribe,
  };
}
