import { describe, expect, it } from 'vitest';
import type { PushEnvelope } from '../push/push-envelope.ts';
import { createMemoryHistory } from './memory-history.ts';

const push = (id: string, user: string, payload = '"x"'): PushEnvelope => ({
  id,
  ts: 0,
  acceptedAt: 0,
  publishedAt: 0,
  to: { users: [user], tags: [], all: false },
  payload,
});

describe('memory history', () => {
  it('keeps at most maxBytes across all streams, dropping the oldest first, and says so on read', () => {
    const payload = JSON.stringify('p'.repeat(1000));
    // Room for about three of these pushes (each counts its payload and a fixed overhead).
    const history = createMemoryHistory({ size: 100, ttlMs: 60_000, maxBytes: 4000 });
    const epochs = ['a', 'b', 'a', 'b', 'a'].map((user, i) => history.append({ origin: 'n', push: push(`p${i}`, user, payload), headers: {} }).positions[`u:${user}`]!);
    const size = history.size();
    expect(size.messages).toBe(3);
    expect(size.bytes).toBeLessThanOrEqual(4000);
    return Promise.all([
      history.read('u:a', { epoch: epochs[0]!.epoch, seq: 0 }).then((read) => {
        // p0 (a's first) went first; p2 and p4 are held.
        expect(read.result).toBe('gap');
        expect(read.entries.map((entry) => entry.message.push.id)).toEqual(['p2', 'p4']);
      }),
      history.read('u:b', { epoch: epochs[1]!.epoch, seq: 1 }).then((read) => {
        expect(read.result).toBe('recovered');
        expect(read.entries.map((entry) => entry.message.push.id)).toEqual(['p3']);
      }),
    ]);
  });

  it('with size 0 holds nothing and still gives positions', async () => {
    const history = createMemoryHistory({ size: 0, ttlMs: 60_000, maxBytes: 1 << 20 });
    const first = history.append({ origin: 'n', push: push('p1', 'a'), headers: {} }).positions['u:a']!;
    const second = history.append({ origin: 'n', push: push('p2', 'a'), headers: {} }).positions['u:a']!;
    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(history.size()).toEqual({ streams: 0, messages: 0, bytes: 0 });
    expect(await history.read('u:a', first)).toEqual({ result: 'gap', entries: [], position: second });
    expect((await history.read('u:a', second)).result).toBe('recovered');
  });
});
