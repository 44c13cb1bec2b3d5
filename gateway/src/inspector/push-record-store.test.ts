import { describe, expect, it } from 'vitest';
import { createPushRecordStore, NO_RECORD } from './push-record-store.ts';

const push = (id: string) => ({ id, acceptedAt: 1, publishedAt: 1, to: { users: ['alice'], tags: [], all: false } });

/** A store whose deferred expiry runs when the test says, not at the end of the turn. */
function storeWithManualTurns(capacity: number, maxAgeMs = 60_000) {
  const turns: Array<() => void> = [];
  const expired: number[] = [];
  const store = createPushRecordStore({
    maxAgeMs,
    capacity,
    onExpired: (slot) => expired.push(slot),
    defer: (run) => turns.push(run),
  });
  const endTurn = () => turns.splice(0).forEach((run) => run());
  /** The id of the record a lookup found, or undefined. */
  const idOf = (slot: number) => (slot === NO_RECORD ? undefined : store.idAt(slot));
  return { store, expired, endTurn, turns, idOf };
}

describe('push record store', () => {
  it('finds a record in the turn that made it and after, one row per push, with one deferred run per turn', () => {
    const { store, endTurn, turns } = storeWithManualTurns(10);
    const made = store.obtain(push('p1'), 1000);
    expect(store.obtain(push('p1'), 1001)).toBe(made);
    expect([store.peek('p1'), store.find('p1', 1001)]).toEqual([made, made]);
    const second = store.obtain(push('p2'), 1002);
    expect(second).not.toBe(made);
    expect(turns).toHaveLength(1);
    endTurn();
    expect(store.obtain(push('p1'), 1003)).toBe(made);
    expect([store.find('p2', 1003), store.size]).toEqual([second, 2]);
    // A turn that made nothing defers nothing.
    expect(turns).toHaveLength(0);
  });

  it('holds its capacity from the turn\'s end, the oldest going first', () => {
    const { store, endTurn, idOf, expired } = storeWithManualTurns(3);
    const slots = [1, 2, 3, 4, 5].map((i) => store.obtain(push(`p${i}`), 1000 + i));
    endTurn();
    expect(store.size).toBe(3);
    expect(store.find('p1', 1010)).toBe(NO_RECORD);
    expect(store.find('p2', 1010)).toBe(NO_RECORD);
    expect(idOf(store.find('p5', 1010))).toBe('p5');
    // The slots of the two that went are handed on, and let go of their push.
    expect(expired).toEqual([slots[0], slots[1]]);
    expect(store.idAt(slots[0]!)).toBeUndefined();
  });

  it('lets the oldest go at once when one turn makes more records than its room past the capacity', () => {
    const { store, turns, expired, idOf } = storeWithManualTurns(10);
    const slots = Array.from({ length: 200 }, (_, i) => store.obtain(push(`p${i}`), 1000));
    // The turn's run has not happened, yet the ring never held more than its rows.
    expect(turns).toHaveLength(1);
    expect(expired.length).toBeGreaterThanOrEqual(200 - store.rows);
    expect(new Set(slots).size).toBe(store.rows);
    expect(idOf(store.find('p199', 1000))).toBe('p199');
    expect(store.find('p0', 1000)).toBe(NO_RECORD);
  });

  it('answers nothing older than its age limit, and drops it at the end of a turn that made a newer one', () => {
    const { store, endTurn, idOf } = storeWithManualTurns(100, 500);
    store.obtain(push('old'), 1000);
    endTurn();
    expect(idOf(store.find('old', 1400))).toBe('old');
    expect(store.find('old', 1600)).toBe(NO_RECORD);
    store.obtain(push('new'), 1600);
    endTurn();
    expect(store.size).toBe(1);
    expect(store.peek('old')).toBe(NO_RECORD);
  });

  it('reuses the slots of records gone, past the columns\' first rows, and keeps each slot\'s own facts', () => {
    const { store, endTurn, idOf } = storeWithManualTurns(1_000);
    const made = new Map<string, number>();
    for (let i = 0; i < 5_000; i += 1) {
      const id = `p${i}`;
      made.set(id, store.obtain({ ...push(id), acceptedAt: i, to: { users: [`u${i}`], tags: [], all: false } }, 1000));
      if (i % 50 === 0) endTurn();
    }
    endTurn();
    expect(store.size).toBe(1_000);
    // Slots are numbered within the ring, which the records went round several times.
    expect(Math.max(...made.values())).toBeLessThan(store.rows);
    for (const i of [4_000, 4_500, 4_999]) {
      const slot = store.find(`p${i}`, 1000);
      expect(idOf(slot)).toBe(`p${i}`);
      expect(slot).toBe(made.get(`p${i}`));
      expect(store.acceptedAt(slot)).toBe(i);
      expect(store.targetAt(slot)).toEqual({ users: [`u${i}`], tags: [], all: false });
    }
    expect(store.find('p3999', 1000)).toBe(NO_RECORD);
  });

  it('keeps a target of more than one user as it came, and a sampled trace\'s id', () => {
    const { store } = storeWithManualTurns(10);
    const to = { users: ['alice', 'bob'], tags: ['ops'], all: false };
    const sampled = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    const slot = store.obtain({ ...push('p1'), to, trace: sampled }, 1000);
    const unsampled = store.obtain({ ...push('p2'), trace: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-00` }, 1000);
    expect(store.targetAt(slot)).toBe(to);
    expect([store.namesUser(slot, 'bob'), store.namesUser(slot, 'ops'), store.namesUser(unsampled, 'alice'), store.namesUser(unsampled, 'bob')]).toEqual([true, false, true, false]);
    expect(store.traceIdAt(slot)).toBe('a'.repeat(32));
    expect(store.traceIdAt(unsampled)).toBeUndefined();
    store.markAccepted(slot);
    expect(store.find('p1', 1000)).toBe(slot);
    expect([store.isAccepted(slot), store.isAccepted(unsampled)]).toEqual([true, false]);
  });

  it('walks the records younger than the age limit, newest first', () => {
    const { store, endTurn, idOf } = storeWithManualTurns(3, 500);
    store.obtain(push('p1'), 1000);
    store.obtain(push('p2'), 1300);
    endTurn();
    store.obtain(push('p3'), 1400);
    store.obtain(push('p4'), 1450);
    endTurn();
    // p1 went with the capacity at the turn's end, p2 is past the age limit at 1850.
    expect([...store.newestFirst(1850)].map(idOf)).toEqual(['p4', 'p3']);
    expect([...store.newestFirst(1450)].map(idOf)).toEqual(['p4', 'p3', 'p2']);
  });
});
