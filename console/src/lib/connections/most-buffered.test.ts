import type { BufferedConnection } from '@wsgw/gateway/protocol';
import { describe, expect, it } from 'vitest';
import { mergeMostBuffered } from './most-buffered.ts';

const conn = (id: string, node: string, bufferedAmount: number): BufferedConnection => ({ id, user: `u-${id}`, node, bufferedAmount, connectedAt: 0 });

describe('mergeMostBuffered', () => {
  it('merges every node’s list, most bytes first', () => {
    const merged = mergeMostBuffered([
      { mostBuffered: [conn('a', 'n1', 500), conn('b', 'n1', 20)] },
      { mostBuffered: [conn('c', 'n2', 9000), conn('d', 'n2', 100)] },
      { mostBuffered: [] },
    ]);
    expect(merged.map((c) => c.id)).toEqual(['c', 'a', 'd', 'b']);
  });

  it('is capped', () => {
    const nodes = Array.from({ length: 10 }, (_, n) => ({ mostBuffered: Array.from({ length: 5 }, (_, i) => conn(`${n}-${i}`, `n${n}`, n * 10 + i)) }));
    const merged = mergeMostBuffered(nodes, 20);
    expect(merged).toHaveLength(20);
    expect(merged[0]!.bufferedAmount).toBe(94);
  });
});
