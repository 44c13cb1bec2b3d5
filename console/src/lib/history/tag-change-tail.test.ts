import type { TagChangeEntry } from '@wsgw/gateway/protocol';
import { describe, expect, it } from 'vitest';
import { createTagChangeTail } from './tag-change-tail.ts';

const change = (connection: string, at: number, added: string[] = ['x']): TagChangeEntry => ({ connection, user: 'u', added, removed: [], node: 'n1', at });

describe('the tag change tail', () => {
  it('keeps changes newest first, once each, up to its capacity', () => {
    const tail = createTagChangeTail(3);
    expect(tail.apply([change('c1', 1), change('c2', 2)]).map((e) => e.connection)).toEqual(['c2', 'c1']);
    const same = tail.entries;
    // The same second re-sent (a reconnecting feed) adds nothing and returns the same array.
    expect(tail.apply([change('c2', 2)])).toBe(same);
    expect(tail.apply([change('c1', 3, ['y']), change('c3', 4)]).map((e) => `${e.connection}@${e.at}`)).toEqual(['c3@4', 'c1@3', 'c2@2']);
  });
});
