import { describe, expect, it } from 'vitest';
import type { Connection } from '../hub/connection.ts';
import { createFanoutTable } from './fanout-table.ts';

// The table reads a connection's id and user only.
const connection = (id: string, user: string) => ({ id, user }) as Connection;
const alice = connection('c-alice', 'alice');
const bob = connection('c-bob', 'bob');
const ACCEPTED = 1_000;
/** Every push of these tests was accepted at the same time (the record store's column, in the inspector). */
const acceptedAtOf = () => ACCEPTED;

describe('fan-out table', () => {
  it('keeps a one-connection fan-out in its row: written at its round, acked once', () => {
    const table = createFanoutTable({ bound: 100, rows: 10, acceptedAtOf });
    const record = table.open(3, 'p1', 1_001);
    record.matched(alice);
    record.written(alice);
    table.roundWritten(record, 1, 1_002.5);
    table.fannedOut(3, 0.25);
    table.acked(3, alice, 1_010);
    table.acked(3, alice, 1_020);
    // An ack from a connection the push never matched here counts for nothing.
    table.acked(3, bob, 1_030);
    const answer = table.answer(3, 'n1');
    expect(answer).toMatchObject({ node: 'n1', fanoutAt: 1_001, fanoutMs: 0.25, matched: 1, written: 1, acked: 1 });
    expect(answer.connections).toEqual([{ connection: 'c-alice', user: 'alice', node: 'n1', writtenAt: 1_002.5, ackedAt: 1_010 }]);
    expect(answer.writeLatency?.max).toBeCloseTo(2.5);
    expect(table.connectionsOf(3, 'alice', 'n1')).toHaveLength(1);
    expect(table.connectionsOf(3, 'bob', 'n1')).toEqual([]);
    expect([table.reaches(3, 'alice'), table.reaches(3, 'bob')]).toEqual([true, false]);
  });

  it('moves on into a record at a second match, with what the first connection had', () => {
    const table = createFanoutTable({ bound: 100, rows: 10, acceptedAtOf });
    const record = table.open(0, 'p1', 1_001);
    record.matched(alice);
    record.written(alice);
    table.roundWritten(record, 1, 1_002);
    table.acked(0, alice, 1_005);
    // The same push fans out here again (a second delivery of it), reaching bob.
    const again = table.open(0, 'p1', 1_006);
    again.matched(bob);
    again.written(bob);
    table.roundWritten(again, 1, 1_007);
    const answer = table.answer(0, 'n1');
    expect(answer).toMatchObject({ matched: 2, written: 2, acked: 1 });
    expect(answer.connections).toEqual([
      { connection: 'c-alice', user: 'alice', node: 'n1', writtenAt: 1_002, ackedAt: 1_005 },
      { connection: 'c-bob', user: 'bob', node: 'n1', writtenAt: 1_007 },
    ]);
    expect([table.reaches(0, 'alice'), table.reaches(0, 'bob'), table.reaches(0, 'carol')]).toEqual([true, true, false]);
  });

  it('records a drop of its one connection, with its reason', () => {
    const table = createFanoutTable({ bound: 100, rows: 10, acceptedAtOf });
    const record = table.open(1, 'p1', 1_001);
    record.matched(alice);
    record.dropped(alice, 'slow_consumer');
    const answer = table.answer(1, 'n1');
    expect(answer.dropped.slow_consumer).toBe(1);
    expect(answer.connections).toEqual([{ connection: 'c-alice', user: 'alice', node: 'n1', dropped: 'slow_consumer' }]);
  });

  it('ignores what a push reports once its slot holds another push, and lets go of a cleared row', () => {
    const table = createFanoutTable({ bound: 100, rows: 10, acceptedAtOf });
    const stale = table.open(2, 'old', 1_001);
    stale.matched(alice);
    const fresh = table.open(2, 'new', 2_001);
    stale.written(alice);
    table.roundWritten(stale, 1, 2_002);
    expect(table.has(2, 'old')).toBe(false);
    fresh.matched(bob);
    expect(table.answer(2, 'n1')).toMatchObject({ matched: 1, written: 0, connections: [{ connection: 'c-bob' }] });
    table.clear(2);
    expect(table.has(2, 'new')).toBe(false);
    fresh.written(bob);
  });

  it('grows its rows up to the bound it was given', () => {
    const table = createFanoutTable({ bound: 1, rows: 5_000, acceptedAtOf });
    for (let slot = 0; slot < 5_000; slot += 7) table.open(slot, `p${slot}`, 1_001).matched(alice);
    expect(table.has(4_998, 'p4998')).toBe(true);
    // Past a bound of one, the record summarises.
    const record = table.open(4_998, 'p4998', 1_001);
    record.matched(bob);
    expect(table.answer(4_998, 'n1')).toMatchObject({ matched: 2, truncated: true });
  });
});
