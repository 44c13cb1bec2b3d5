import { describe, expect, it } from 'vitest';
import { createUserPushIndex } from './user-push-index.ts';

describe('the user push index', () => {
  it('lists a user\'s pushes newest first, each once, at most `perUser`', () => {
    const index = createUserPushIndex(3, 100);
    for (const id of ['p1', 'p2', 'p2', 'p3', 'p4']) index.add('alice', id);
    index.add('bob', 'p5');
    expect(index.idsOf('alice')).toEqual(['p4', 'p3', 'p2']);
    expect(index.idsOf('bob')).toEqual(['p5']);
    expect(index.idsOf('nobody')).toEqual([]);
  });

  it('holds at most `capacity` entries in all, the oldest going first', () => {
    const index = createUserPushIndex(10, 4);
    index.add('alice', 'p1');
    index.add('bob', 'p2');
    index.add('alice', 'p3');
    index.add('carol', 'p4');
    index.add('dave', 'p5');
    index.add('erin', 'p6');
    expect(index.idsOf('alice')).toEqual(['p3']);
    expect(index.idsOf('bob')).toEqual([]);
    expect(index.idsOf('erin')).toEqual(['p6']);
  });
});
