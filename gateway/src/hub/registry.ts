import type { NormalizedTarget } from '../push/push-envelope.ts';

/** What the registry indexes an entry by: a connection's id, its user and its tags. */
export interface Addressable {
  readonly id: string;
  readonly user: string;
  readonly tags: readonly string[];
}

/**
 * Connections indexed by id, user and tag, so resolving a push costs O(matched connections)
 * rather than a scan of every connection. Generic so the hub can index its own per-connection
 * record and reach it from a match without a second lookup.
 */
export interface Registry<T extends Addressable> {
  add(connection: T): void;
  remove(connection: T): boolean;
  get(id: string): T | undefined;
  byUser(user: string): ReadonlySet<T> | undefined;
  /** Calls `visit` once per connection matched by the target, however many targets match it. */
  forEachMatch(target: NormalizedTarget, visit: (connection: T) => void): void;
  all(): IterableIterator<T>;
  readonly size: number;
  readonly userCount: number;
  readonly tagCount: number;
}

export function createRegistry<T extends Addressable>(): Registry<T> {
  const byId = new Map<string, T>();
  const users = new Map<string, Set<T>>();
  const tags = new Map<string, Set<T>>();

  const index = (map: Map<string, Set<T>>, key: string, connection: T) => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(connection);
  };
  const unindex = (map: Map<string, Set<T>>, key: string, connection: T) => {
    const set = map.get(key);
    if (!set) return;
    set.delete(connection);
    if (set.size === 0) map.delete(key);
  };
  const groupsOf = (target: NormalizedTarget): Array<Set<T>> => {
    const groups: Array<Set<T>> = [];
    for (const user of target.users) {
      const set = users.get(user);
      if (set) groups.push(set);
    }
    for (const tag of target.tags) {
      const set = tags.get(tag);
      if (set) groups.push(set);
    }
    return groups;
  };

  return {
    add(connection) {
      byId.set(connection.id, connection);
      index(users, connection.user, connection);
      for (const tag of connection.tags) index(tags, tag, connection);
    },
    remove(connection) {
      if (!byId.delete(connection.id)) return false;
      unindex(users, connection.user, connection);
      for (const tag of connection.tags) unindex(tags, tag, connection);
      return true;
    },
    get: (id) => byId.get(id),
    byUser: (user) => users.get(user),
    forEachMatch(target, visit) {
      if (target.all) {
        for (const connection of byId.values()) visit(connection);
        return;
      }
      const groups = groupsOf(target);
      if (groups.length === 1) {
        // One group cannot hold a connection twice: skip the dedupe set.
        for (const connection of groups[0]!) visit(connection);
        return;
      }
      const seen = new Set<T>();
      for (const group of groups) {
        for (const connection of group) {
          if (seen.has(connection)) continue;
          seen.add(connection);
          visit(connection);
        }
      }
    },
    all: () => byId.values(),
    get size() {
      return byId.size;
    },
    get userCount() {
      return users.size;
    },
    get tagCount() {
      return tags.size;
    },
  };
}
