/**
 * What one connection received, by the per-user sequence number each push carries. Loss,
 * duplicates and reordering are counted exactly from these numbers, never estimated.
 */
export interface DeliveryLedger {
  /** Records one received push; returns false when it is a duplicate. */
  receive(seq: number): boolean;
  /**
   * Compares with the sequence numbers the gateway accepted for this connection's stream. Numbers
   * up to `floor` were sent before the connection was known to be open: whether they arrived is
   * not the gateway's debt, so they count neither way.
   */
  settle(expected: readonly number[], floor?: number): LedgerOutcome;
  readonly received: number;
}

export interface LedgerOutcome {
  expected: number;
  received: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  /** Received but never sent to this user: a misdelivery. */
  unexpected: number;
}

export function createDeliveryLedger(): DeliveryLedger {
  const seen = new Set<number>();
  let highest = -Infinity;
  let duplicates = 0;
  let outOfOrder = 0;
  return {
    receive(seq) {
      if (seen.has(seq)) {
        duplicates += 1;
        return false;
      }
      seen.add(seq);
      if (seq < highest) outOfOrder += 1;
      else highest = seq;
      return true;
    },
    settle(expected, floor = 0) {
      const wanted = new Set(expected.filter((seq) => seq > floor));
      let lost = 0;
      for (const seq of wanted) if (!seen.has(seq)) lost += 1;
      let unexpected = 0;
      let received = 0;
      for (const seq of seen) {
        if (seq <= floor) continue;
        received += 1;
        if (!wanted.has(seq)) unexpected += 1;
      }
      return { expected: wanted.size, received, lost, duplicates, outOfOrder, unexpected };
    },
    get received() {
      return seen.size;
    },
  };
}

/** Sums connection outcomes. */
export function addOutcomes(a: LedgerOutcome, b: LedgerOutcome): LedgerOutcome {
  return {
    expected: a.expected + b.expected,
    received: a.received + b.received,
    lost: a.lost + b.lost,
    duplicates: a.duplicates + b.duplicates,
    outOfOrder: a.outOfOrder + b.outOfOrder,
    unexpected: a.unexpected + b.unexpected,
  };
}

export const EMPTY_OUTCOME: LedgerOutcome = { expected: 0, received: 0, lost: 0, duplicates: 0, outOfOrder: 0, unexpected: 0 };
