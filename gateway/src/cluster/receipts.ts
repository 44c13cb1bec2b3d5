import type { Bus, SignalBodyParser } from '../bus/bus.ts';
import { MAX_ORIGIN_LENGTH } from '../bus/bus-validation.ts';
import { MAX_ID_LENGTH } from '../push/push-validation.ts';
import { isBoundedString, isRecord } from '../validation.ts';

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
/** Receipts kept for pushes not (yet) waited for: beyond this many pushes, new ones are dropped. */
const MAX_EARLY = 10_000;
/** Early receipts kept per push: more than a cluster has nodes. */
const MAX_EARLY_PER_PUSH = 256;

const parseReceipt: SignalBodyParser<Receipt> = (body) => {
  if (!isRecord(body)) return { ok: false, error: 'a receipt must be an object' };
  const { push, to, recipients } = body;
  if (!isBoundedString(push, MAX_ID_LENGTH) || !isBoundedString(to, MAX_ORIGIN_LENGTH)) return { ok: false, error: 'a receipt needs a push id and a node' };
  if (typeof recipients !== 'number' || !Number.isSafeInteger(recipients) || recipients < 0) return { ok: false, error: 'a receipt needs a count' };
  return { ok: true, value: { push, to, recipients } };
};

/**
 * Cluster-wide recipient counts: every node that delivers a push sends the accepting node a
 * receipt; the accepting node adds up what arrives within the wait and says whether everyone
 * answered, rather than guessing. A receipt from a node it did not expect is counted too, and
 * makes the count incomplete: its view of the cluster was out of date, so others may be missing.
 */
export function createReceipts(nodeId: string, bus: Bus): Receipts {
  const waiting = new Map<string, { expected: Set<string>; heard: Set<string>; unexpected: boolean; count: ClusterCount; done(): void }>();
  // Receipts can beat the registration of their push (a fast peer): keep them for a moment.
  const early = new Map<string, Array<{ from: string; recipients: number }>>();

  const apply = (push: string, from: string, recipients: number) => {
    const entry = waiting.get(push);
    if (!entry) {
      const list = early.get(push);
      if (list) return void (list.length < MAX_EARLY_PER_PUSH && list.push({ from, recipients }));
      if (early.size >= MAX_EARLY) return;
      early.set(push, [{ from, recipients }]);
      setTimeout(() => early.delete(push), 5000).unref();
      return;
    }
    // One receipt per node and push: a repeat is not counted twice.
    if (entry.heard.has(from)) return;
    entry.heard.add(from);
    entry.count.recipients += recipients;
    if (!entry.expected.delete(from)) entry.unexpected = true;
    else if (entry.expected.size === 0 && !entry.unexpected) entry.done();
  };

  const unsubscribe = bus.onSignal({
    topic: TOPIC,
    parse: parseReceipt,
    handle(origin, receipt) {
      if (receipt.to === nodeId) apply(receipt.push, origin, receipt.recipients);
    },
  });

  return {
    send(push, origin, recipients) {
      // To the accepting node alone: the others have nothing to do with it.
      bus.signal({ origin: nodeId, topic: TOPIC, body: { push, to: origin, recipients } satisfies Receipt }, origin).catch(() => undefined);
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
          heard: new Set(),
          unexpected: false,
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
