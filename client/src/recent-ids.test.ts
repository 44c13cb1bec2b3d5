import { describe, expect, it } from 'vitest';
import { createRecentIds } from './recent-ids.ts';

describe('recent push ids', () => {
  it('reports an id seen before', () => {
    const recent = createRecentIds();
    expect(recent.remember('a')).toBe(true);
    expect(recent.remember('b')).toBe(true);
    expect(recent.remember('a')).toBe(false);
  });

  it('holds at most its limit, forgetting the oldest first', () => {
    const recent = createRecentIds(3);
    for (const id of ['a', 'b', 'c', 'd']) recent.remember(id);
    expect(recent.size).toBe(3);
    expect(recent.remember('d')).toBe(false);
    expect(recent.remember('b')).toBe(false);
    expect(recent.remember('a')).toBe(true);
  });
});
