import { describe, expect, it } from 'vitest';
import { createDeliveryLedger } from './delivery-ledger.ts';

describe('delivery ledger', () => {
  it('counts loss, duplicates, reordering and misdeliveries exactly', () => {
    const ledger = createDeliveryLedger();
    for (const seq of [1, 2, 4, 3, 4, 9]) ledger.receive(seq);
    expect(ledger.settle([1, 2, 3, 4, 5, 6])).toEqual({ expected: 6, received: 5, lost: 2, duplicates: 1, outOfOrder: 1, unexpected: 1 });
  });

  it('reports a clean run as clean', () => {
    const ledger = createDeliveryLedger();
    for (let seq = 1; seq <= 100; seq += 1) ledger.receive(seq);
    expect(ledger.settle(Array.from({ length: 100 }, (_, i) => i + 1))).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0, unexpected: 0 });
  });

  it('leaves pushes sent before the connection was known to be open out of the account', () => {
    const ledger = createDeliveryLedger();
    for (const seq of [2, 3, 4, 5]) ledger.receive(seq);
    expect(ledger.settle([1, 2, 3, 4, 5, 6], 3)).toEqual({ expected: 3, received: 2, lost: 1, duplicates: 0, outOfOrder: 0, unexpected: 0 });
  });
});
