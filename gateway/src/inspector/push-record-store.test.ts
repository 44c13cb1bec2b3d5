import { describe, expect, it } from 'vitest';
import { createPushRecordStore, type PushRecord } from './push-record-store.ts';

const push = (id: string) => ({ id, acceptedAt: 1, publishedAt: 1, to: { users: ['alice'], tags: [], all: false } });

/** A store whose deferred indexing runs when the test says, not at the end of the turn. */
function storeWithManualTurns(capacity: number, maxAgeMs = 60_000) {
  const turns: Array<() => void> = [];
  const indexed: string[] = [];
  const store = createPushRecordStore({ maxAgeMs, capacity, onIndexed: (record: PushRecord) => indexed.push(record.id), defer: (run) => turns.push(run) });
  const endTurn = () => turns.splice(0).forEach((run) => run());
  return { store, indexed, endTurn, turns };
}

describe('push record store', () => {
  it('finds a record made in this turn before it is indexed, and indexes it once at the turn\'s end', () => {
    const { store, indexed, endTurn, turns } = storeWithManualTurns(10);
    const made = store.obtain(push('p1'), 1000);
    expect(store.obtain(push('p1'), 1001)).toBe(made);
    expect(store.peek('p1')).toBe(made);
    expect(indexed).toEqual([]);
    // One deferred run per turn, however many records it makes.
    store.obtain(push('p2'), 1002);
    expect(turns).toHaveLength(1);
    endTurn();
    expect(indexed).toEqual(['p1', 'p2']);
    expect(store.obtain(push('p1'), 1003)).toBe(made);
    expect(indexed).toEqual(['p1', 'p2']);
  });

  it('indexes before answering a lookup, so nothing made is missed', () => {
    const { store, indexed } = storeWithManualTurns(10);
    const made = store.obtain(push('p1'), 1000);
    expect(store.get('p1', 1000)).toBe(made);
    expect(indexed).toEqual(['p1']);
    expect(store.size).toBe(1);
  });

  it('holds its capacity once indexed, the oldest going first', () => {
    const { store, endTurn } = storeWithManualTurns(3);
    for (let i = 1; i <= 5; i += 1) store.obtain(push(`p${i}`), 1000 + i);
    endTurn();
    expect(store.size).toBe(3);
    expect(store.get('p1', 1010)).toBeUndefined();
    expect(store.get('p2', 1010)).toBeUndefined();
    expect(store.get('p5', 1010)?.id).toBe('p5');
  });

  it('indexes at once when a turn makes more records than it defers', () => {
    const { store, indexed, turns } = storeWithManualTurns(1000);
    for (let i = 0; i < 100; i += 1) store.obtain(push(`p${i}`), 1000);
    // Deferred is bounded: the turn's run has not happened, yet most are indexed.
    expect(turns).toHaveLength(1);
    expect(indexed.length).toBeGreaterThanOrEqual(100 - 64);
  });

  it('answers nothing older than its age limit, and drops it once a newer record is indexed', () => {
    const { store, endTurn } = storeWithManualTurns(100, 500);
    store.obtain(push('old'), 1000);
    endTurn();
    expect(store.get('old', 1400)?.id).toBe('old');
    expect(store.get('old', 1600)).toBeUndefined();
    store.obtain(push('new'), 1600);
    endTurn();
    expect(store.size).toBe(1);
    expect(store.peek('old')).toBeUndefined();
  });
});
