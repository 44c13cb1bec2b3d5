import { describe, expect, it } from 'vitest';
import { connectionOutcome, describeOutcome, outcomeCounts } from './connection-outcome.ts';
import { describeTarget } from './push-target.ts';

const base = { connection: 'c1', user: 'alice', node: 'n1' };

describe('connectionOutcome', () => {
  it('tells acked, written, dropped and unwritten apart, instants from acceptance', () => {
    const outcomes = [
      connectionOutcome({ ...base, writtenAt: 1001.5, ackedAt: 1012 }, 1000),
      connectionOutcome({ ...base, writtenAt: 1000.5 }, 1000),
      connectionOutcome({ ...base, writtenAt: 1001, ackedAt: 1002, dropped: 'closed' }, 1000),
      connectionOutcome({ ...base, dropped: 'slow_consumer' }, 1000),
      connectionOutcome(base, 1000),
    ];
    expect(outcomes).toEqual([
      { kind: 'acked', writtenMs: 1.5, ackedMs: 12 },
      { kind: 'written', writtenMs: 0.5 },
      { kind: 'dropped', reason: 'closed', writtenMs: 1 },
      { kind: 'dropped', reason: 'slow_consumer', writtenMs: undefined },
      { kind: 'unwritten' },
    ]);
    expect(outcomes.map(describeOutcome)).toEqual(['acked +12 ms', 'written +0.5 ms, no ack yet', 'dropped: closed', 'dropped: slow_consumer', 'not written']);
    expect(outcomeCounts(outcomes)).toEqual({ acked: 1, written: 1, dropped: 2, unwritten: 1 });
  });
});

describe('describeTarget', () => {
  it('names every part of the target', () => {
    expect(describeTarget({ users: ['alice'] })).toBe('user alice');
    expect(describeTarget({ users: ['a', 'b'], tags: ['ops'], all: true })).toBe('users a, b · tag ops · everyone');
    expect(describeTarget({ tags: [] })).toBe('nobody');
  });
});
