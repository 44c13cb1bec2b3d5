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
  /** The user's connections (a new array). */
  byUser(user: string): T[];
  /** The tag's connections (a new array). */
  byTag(tag: string): T[];
  /**
   * Moves an entry whose tags just changed (the owner set them) between the tag groups: out of
   * `removed`, into `added`.
   */
  retag(connection: T, removed: readonly string[], added: readonly string[]): void;
  /** How many connections the user holds. */
  countOf(user: string): number;
  /** Calls `visit` once per connection matched by the target, however many targets match it. */
  forEachMatch(target: NormalizedTarget, visit: (connection: T) => void): void;
  all(): IterableIterator<T>;
  readonly size: number;
  readonly userCount: number;
  readonly tagCount: number;
}

/**
 * A user's or a tag's connections: the connection itself while there is one, a set from the
 * second on. Most users hold one connection, and a set for each of 10k users would cost more than
 * the rest of the index together.
 */
type Group<T> = T | Set<T>;

const isSet = <T>(group: Group<T>): group is Set<T> => group instanceof Set;

export function createRegistry<T extends Addressable>(): Registry<T> {
  const byId = new Map<string, T>();
  const users = new Map<string, Group<T>>();
  const tags = new Map<string, Group<T>>();

  const index = (map: Map<string, Group<T>>, key: string, connection: T) => {
    const group = map.get(key);
    if (group === undefined) map.set(key, connection);
    else if (isSet(group)) group.add(connection);
    else if (group !== connection) map.set(key, new Set([group, connection]));
  };
  const unindex = (map: Map<string, Group<T>>, key: string, connection: T) => {
    const group = map.get(key);
    if (group === undefined) return;
    if (!isSet(group)) {
      if (group === connection) map.delete(key);
      return;
    }
    group.delete(connection);
    if (group.size === 0) map.delete(key);
  };
  const visitGroup = (group: Group<T>, visit: (connection: T) => void) => {
    if (!isSet(group)) return visit(group);
    for (const connection of group) visit(connection);
  };
  const groupsOf = (target: NormalizedTarget): Array<Group<T>> => {
    const groups: Array<Group<T>> = [];
    for (const user of target.users) {
      const group = users.get(user);
      if (group !== undefined) groups.push(group);
    }
    for (const tag of target.tags) {
      const group = tags.get(tag);
      if (group !== undefined) groups.push(group);
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
    byUser(user) {
      const group = users.get(user);
      if (group === undefined) return [];
      return isSet(group) ? [...group] : [group];
    },
    byTag(tag) {
      const group = tags.get(tag);
      if (group === undefined) return [];
      return isSet(group) ? [...group] : [group];
    },
    retag(connection, removed, added) {
      if (byId.get(connection.id) !== connection) return;
      for (const tag of removed) unindex(tags, tag, connection);
      for (const tag of added) index(tags, tag, connection);
    },
    countOf(user) {
      const group = users.get(user);
      return group === undefined ? 0 : isSet(group) ? group.size : 1;
    },
    forEachMatch(target, visit) {
      if (target.all) {
        for (const connection of byId.values()) visit(connection);
        return;
      }
      const groups = groupsOf(target);
      if (groups.length === 1) {
        // One group cannot hold a connection twice: skip the dedupe set.
        visitGroup(groups[0]!, visit);
        return;
      }
      const seen = new Set<T>();
      for (const group of groups) {
        visitGroup(group, (connection) => {
          if (seen.has(connection)) return;
          seen.add(connection);
          visit(connection);
        });
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
