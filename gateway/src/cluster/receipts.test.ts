import { describe, expect, it } from 'vitest';
import { createMemoryBroker, createMemoryBus } from '../bus/memory.ts';
import { createReceipts } from './receipts.ts';

describe('receipts', () => {
  it('adds up the answers of every peer, and says when one did not answer in time', async () => {
    const broker = createMemoryBroker();
    const origin = createReceipts('a', createMemoryBus(broker, { nodeId: 'a' }));
    const b = createReceipts('b', createMemoryBus(broker, { nodeId: 'b' }));
    const c = createReceipts('c', createMemoryBus(broker, { nodeId: 'c' }));
    const counting = origin.collect('p1', ['b', 'c'], 1000);
    b.send('p1', 'a', 2);
    c.send('p1', 'a', 3);
    expect(await counting).toEqual({ recipients: 5, complete: true });

    const partial = origin.collect('p2', ['b', 'ghost'], 100);
    b.send('p2', 'a', 4);
    expect(await partial).toEqual({ recipients: 4, complete: false });
    expect(await origin.collect('p3', [], 100)).toEqual({ recipients: 0, complete: true });
  });

  it('counts a receipt that arrives before its push is being waited for', async () => {
    const broker = createMemoryBroker();
    const bus = createMemoryBus(broker, { nodeId: 'a' });
    const origin = createReceipts('a', bus);
    // A listener added after origin's hears each receipt after it: once it has, origin holds the receipt.
    const arrived = new Promise<void>((resolve) => bus.onSignal({ topic: 'receipt', parse: (body) => ({ ok: true, value: body }), handle: () => resolve() }));
    createReceipts('b', createMemoryBus(broker, { nodeId: 'b' })).send('early', 'a', 7);
    await arrived;
    expect(await origin.collect('early', ['b'], 500)).toEqual({ recipients: 7, complete: true });
  });
});
