import type { PushTailEntry } from '@wsgw/gateway/protocol';
import { describe, expect, it } from 'vitest';
import { createPushTail } from './push-tail.ts';

const entry = (id: string, at: number, node = 'n1'): PushTailEntry => ({ id, target: 'user', recipients: 1, fanoutMs: 0.2, node, at });

describe('createPushTail', () => {
  it('accumulates snapshots newest first', () => {
    const tail = createPushTail();
    tail.apply([entry('b', 2), entry('a', 1)]);
    const rows = tail.apply([entry('d', 4), entry('c', 3)]);
    expect(rows.map((e) => e.id)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('does not repeat an entry sent again, but keeps one row per node for the same push', () => {
    const tail = createPushTail();
    tail.apply([entry('p', 1, 'n1')]);
    const rows = tail.apply([entry('p', 1, 'n1'), entry('p', 1, 'n2')]);
    expect(rows.map((e) => `${e.id}@${e.node}`).sort()).toEqual(['p@n1', 'p@n2']);
  });

  it('returns the same array when nothing new came', () => {
    const tail = createPushTail();
    const first = tail.apply([entry('a', 1)]);
    expect(tail.apply([entry('a', 1)])).toBe(first);
    expect(tail.apply([])).toBe(first);
  });

  it('is capped, dropping the oldest rows', () => {
    const tail = createPushTail(100);
    for (let s = 0; s < 30; s += 1) tail.apply(Array.from({ length: 10 }, (_, i) => entry(`${s}-${i}`, s * 1000 + i)));
    expect(tail.entries).toHaveLength(100);
    expect(tail.entries[0]!.id).toBe('29-9');
    expect(tail.entries[99]!.id).toBe('20-0');
  });
});
