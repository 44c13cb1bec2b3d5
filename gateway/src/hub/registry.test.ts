import { describe, expect, it } from 'vitest';
import type { Connection } from './connection.ts';
import { createRegistry, type Registry } from './registry.ts';

const connection = (id: string, user: string, tags: string[] = []) => ({ id, user, tags }) as unknown as Connection;
const matched = (registry: Registry<Connection>, target: { users?: string[]; tags?: string[]; all?: boolean }) => {
  const ids: string[] = [];
  registry.forEachMatch({ users: target.users ?? [], tags: target.tags ?? [], all: target.all ?? false }, (c) => ids.push(c.id));
  return ids.sort();
};

describe('registry', () => {
  it('resolves users, tags and all, each connection once', () => {
    const registry = createRegistry<Connection>();
    registry.add(connection('a1', 'alice', ['news', 'sport']));
    registry.add(connection('a2', 'alice'));
    registry.add(connection('b1', 'bob', ['news']));
    expect(matched(registry, { users: ['alice'] })).toEqual(['a1', 'a2']);
    expect(matched(registry, { tags: ['news'] })).toEqual(['a1', 'b1']);
    expect(matched(registry, { users: ['alice', 'bob'], tags: ['news', 'sport'] })).toEqual(['a1', 'a2', 'b1']);
    expect(matched(registry, { all: true, users: ['alice'] })).toEqual(['a1', 'a2', 'b1']);
    expect(matched(registry, { users: ['nobody'], tags: ['none'] })).toEqual([]);
    expect([registry.size, registry.userCount, registry.tagCount]).toEqual([3, 2, 2]);
  });

  it('moves a connection between tag groups when its owner changed its tags, and removes it by its new tags', () => {
    const registry = createRegistry<{ id: string; user: string; tags: string[] }>();
    const a = { id: 'a1', user: 'alice', tags: ['news'] };
    const b = { id: 'b1', user: 'bob', tags: ['news'] };
    registry.add(a);
    registry.add(b);
    a.tags = ['vip'];
    registry.retag(a, ['news'], ['vip']);
    expect(registry.byTag('news').map((c) => c.id)).toEqual(['b1']);
    expect(registry.byTag('vip').map((c) => c.id)).toEqual(['a1']);
    // An entry the registry does not hold is not indexed by a retag.
    registry.retag({ id: 'x1', user: 'x', tags: ['vip'] }, [], ['vip']);
    expect(registry.byTag('vip').map((c) => c.id)).toEqual(['a1']);
    expect(registry.remove(a)).toBe(true);
    expect([registry.byTag('vip'), registry.tagCount]).toEqual([[], 1]);
  });

  it('drops empty index entries on removal', () => {
    const registry = createRegistry<Connection>();
    const a = connection('a1', 'alice', ['news']);
    registry.add(a);
    expect(registry.remove(a)).toBe(true);
    expect(registry.remove(a)).toBe(false);
    expect([registry.size, registry.userCount, registry.tagCount]).toEqual([0, 0, 0]);
    expect(registry.byUser('alice')).toEqual([]);
  });

  it("keeps a user's connections through one, two, one and none again", () => {
    const registry = createRegistry<Connection>();
    const [a1, a2] = [connection('a1', 'alice', ['news']), connection('a2', 'alice', ['news'])];
    registry.add(a1);
    expect([registry.byUser('alice').map((c) => c.id), registry.countOf('alice')]).toEqual([['a1'], 1]);
    registry.add(a2);
    expect([registry.byUser('alice').map((c) => c.id).sort(), registry.countOf('alice')]).toEqual([['a1', 'a2'], 2]);
    expect(matched(registry, { users: ['alice'], tags: ['news'] })).toEqual(['a1', 'a2']);
    registry.remove(a1);
    expect([matched(registry, { users: ['alice'] }), matched(registry, { tags: ['news'] }), registry.countOf('alice')]).toEqual([['a2'], ['a2'], 1]);
    registry.remove(a2);
    expect([registry.countOf('alice'), registry.userCount, registry.tagCount]).toEqual([0, 0, 0]);
  });
});
