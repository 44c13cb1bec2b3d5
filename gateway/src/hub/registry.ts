import type { NormalizedTarget } from '../push/push-envelope.ts';
import type { Connection } from './connection.ts';

/**
 * Connections indexed by id, user and tag, so resolving a push costs O(matched connections)
 * rather than a scan of every connection.
 */
export interface Registry {
  add(connection: Connection): void;
  remove(connection: Connection): boolean;
  get(id: string): Connection | undefined;
  byUser(user: string): ReadonlySet<Connection> | undefined;
  /** Calls `visit` once per connection matched by the target, however many targets match it. */
  forEachMatch(target: NormalizedTarget, visit: (connection: Connection) => void): void;
  all(): IterableIterator<Connection>;
  readonly size: number;
  readonly userCount: number;
  readonly tagCount: number;
}

export function createRegistry(): Registry {
  const byId = new Map<string, Connection>();
  const users = new Map<string, Set<Connection>>();
  const tags = new Map<string, Set<Connection>>();

  const index = (map: Map<string, Set<Connection>>, key: string, connection: Connection) => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(connection);
  };
  const unindex = (map: Map<string, Set<Connection>>, key: string, connection: Connection) => {
    const set = map.get(key);
    if (!set) return;
    set.delete(connection);
    if (set.size === 0) map.delete(key);
  };
  const groupsOf = (target: NormalizedTarget): Array<Set<Connection>> => {
    const groups: Array<Set<Connection>> = [];
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
      const seen = new Set<Connection>();
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
