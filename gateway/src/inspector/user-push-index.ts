/**
 * The ids of each user's recent pushes on this node, newest last, for `GET /api/users/:user/pushes`.
 * Bounded per user (`perUser`) and in total (`capacity`, oldest first); ids whose record expired
 * are skipped by the reader, so nothing here needs a timer.
 */
export interface UserPushIndex {
  add(user: string, id: string): void;
  /** The user's push ids, newest first. */
  idsOf(user: string): string[];
}

export function createUserPushIndex(perUser: number, capacity: number): UserPushIndex {
  const byUser = new Map<string, string[]>();
  // Every entry in the order it was added, as a ring: what the total bound evicts first. Two
  // arrays side by side rather than one of pairs: no object per entry.
  const orderUsers: Array<string | undefined> = [];
  const orderIds: Array<string | undefined> = [];
  let head = 0;
  let count = 0;

  const evictOldest = () => {
    const user = orderUsers[head];
    const id = orderIds[head];
    orderUsers[head] = orderIds[head] = undefined;
    head = (head + 1) % capacity;
    count -= 1;
    if (user === undefined) return;
    const ids = byUser.get(user);
    // The user's oldest id is this entry unless the per-user bound took it already.
    if (ids && ids[0] === id) ids.shift();
    if (ids && ids.length === 0) byUser.delete(user);
  };

  return {
    add(user, id) {
      const ids = byUser.get(user);
      if (ids && ids[ids.length - 1] === id) return;
      if (!ids) byUser.set(user, [id]);
      else ids.push(id);
      if (ids && ids.length > perUser) ids.shift();
      if (count === capacity) evictOldest();
      const at = (head + count) % capacity;
      orderUsers[at] = user;
      orderIds[at] = id;
      count += 1;
    },
    idsOf: (user) => [...(byUser.get(user) ?? [])].reverse(),
  };
}
