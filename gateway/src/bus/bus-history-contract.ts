import { expect, it } from 'vitest';
import { CONTRACT_HISTORY, envelope, patience, type ContractContext } from './bus-contract-context.ts';

/** Streams: positions given on publish, and the history any node can read back. */
export function describeHistoryCases(context: ContractContext): void {
  const { pair, collect } = context;
  const toAlice = { users: ['alice'], tags: [], all: false };

  it('gives each push the next position in every stream it targets, and subscribers hear them', async () => {
    const { a, b } = await pair();
    const atB = await collect(b);
    const first = await a.publish({ origin: 'node-a', push: envelope('p1', '1', { users: ['alice', 'bob'], tags: ['news'], all: false }), headers: {} });
    const second = await b.publish({ origin: 'node-b', push: envelope('p2', '2'), headers: {} });
    const third = await a.publish({ origin: 'node-a', push: envelope('p3', '3', { users: [], tags: [], all: true }), headers: {} });
    expect(Object.keys(first).sort()).toEqual(['t:news', 'u:alice', 'u:bob']);
    expect(Object.keys(second)).toEqual(['u:alice']);
    expect(Object.keys(third)).toEqual(['all']);
    // Positions count from 1 in each stream, whichever node published; the epoch is the stream's.
    expect(second['u:alice']).toEqual({ epoch: first['u:alice']!.epoch, seq: first['u:alice']!.seq + 1 });
    for (const position of [first['u:bob'], first['t:news'], third.all]) expect(position!.seq).toBe(1);
    for (const position of Object.values({ ...first, ...second, ...third })) expect(position.epoch).toMatch(/^.{1,64}$/);
    await expect.poll(() => atB.length, patience).toBe(3);
    expect(atB.map((message) => message.positions)).toEqual([first, second, third]);
  });

  it('tells where streams stand, a stream nothing was appended to at 0, under the epoch it keeps', async () => {
    const { a, b } = await pair();
    const before = await b.history.positions(['u:alice', 'u:nobody']);
    expect(before['u:alice']!.seq).toBe(0);
    const given = await a.publish({ origin: 'node-a', push: envelope('p1'), headers: {} });
    await a.publish({ origin: 'node-a', push: envelope('p2'), headers: {} });
    const after = await b.history.positions(['u:alice', 'u:nobody']);
    expect(after['u:alice']).toEqual({ epoch: given['u:alice']!.epoch, seq: 2 });
    expect(after['u:nobody']!.seq).toBe(0);
    // A client that saw position 0 resumes into the pushes appended since, not into an unknown epoch.
    const read = await b.history.read('u:alice', before['u:alice']!);
    expect(read.result).toBe('recovered');
    expect(read.entries.map((entry) => entry.message.push.id)).toEqual(['p1', 'p2']);
  });

  it('replays, to any node, every push after a position, in order, as subscribers heard it', async () => {
    const { a, b } = await pair();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const positions = [];
    for (let i = 1; i <= 5; i += 1) {
      positions.push(await a.publish({ origin: 'node-a', push: envelope(`p${i}`, `{"n":${i}}`, i === 3 ? { users: ['alice'], tags: ['news'], all: false } : toAlice), headers: { traceparent } }));
    }
    const read = await b.history.read('u:alice', positions[1]!['u:alice']!);
    expect(read.result).toBe('recovered');
    expect(read.position).toEqual(positions[4]!['u:alice']);
    expect(read.entries.map((entry) => entry.seq)).toEqual([3, 4, 5]);
    expect(read.entries.map((entry) => entry.message.push.payload)).toEqual(['{"n":3}', '{"n":4}', '{"n":5}']);
    const [third] = read.entries;
    expect(third!.message).toMatchObject({ origin: 'node-a', headers: { traceparent }, positions: positions[2] });
    expect(third!.message.push).toMatchObject({ id: 'p3', to: { users: ['alice'], tags: ['news'], all: false } });
    const caughtUp = await b.history.read('u:alice', positions[4]!['u:alice']!);
    expect(caughtUp).toMatchObject({ result: 'recovered', entries: [] });
  });

  it('keeps the last `size` pushes of a stream, and says when a position is older than that', async () => {
    const { a, b } = await pair({ ...CONTRACT_HISTORY, size: 3 });
    const given = [];
    for (let i = 1; i <= 5; i += 1) given.push((await a.publish({ origin: 'node-a', push: envelope(`p${i}`), headers: {} }))['u:alice']!);
    const epoch = given[0]!.epoch;
    const fromStart = await b.history.read('u:alice', { epoch, seq: 0 });
    expect(fromStart.result).toBe('gap');
    expect(fromStart.entries.map((entry) => entry.message.push.id)).toEqual(['p3', 'p4', 'p5']);
    // Position 2: everything after it is still held.
    const fromTwo = await b.history.read('u:alice', { epoch, seq: 2 });
    expect(fromTwo.result).toBe('recovered');
    expect(fromTwo.entries.map((entry) => entry.seq)).toEqual([3, 4, 5]);
    expect((await b.history.read('u:alice', { epoch, seq: 1 })).result).toBe('gap');
  });

  it('forgets pushes older than the time-to-live', async () => {
    const { a, b } = await pair({ ...CONTRACT_HISTORY, ttlMs: 1000 });
    const given = (await a.publish({ origin: 'node-a', push: envelope('old'), headers: {} }))['u:alice']!;
    const start = { epoch: given.epoch, seq: 0 };
    expect((await b.history.read('u:alice', start)).entries).toHaveLength(1);
    await expect.poll(async () => (await b.history.read('u:alice', start)).result, { timeout: 8000, interval: 200 }).toBe('gap');
    expect((await b.history.read('u:alice', start)).entries).toEqual([]);
    // Positions go on from where they were: the stream's epoch is unchanged by expiry.
    const next = (await a.publish({ origin: 'node-a', push: envelope('new'), headers: {} }))['u:alice']!;
    expect(next).toEqual({ epoch: given.epoch, seq: 2 });
  });

  it('answers unknown_epoch, with nothing replayed, for a position from another epoch', async () => {
    const { a, b } = await pair();
    const given = (await a.publish({ origin: 'node-a', push: envelope('p1'), headers: {} }))['u:alice']!;
    const read = await b.history.read('u:alice', { epoch: 'an-epoch-long-gone', seq: 1 });
    expect(read).toEqual({ result: 'unknown_epoch', entries: [], position: given });
  });

  it('gives positions without gaps or repeats when two nodes publish to one stream at once', async () => {
    const { a, b } = await pair();
    const publishes = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).publish({ origin: i % 2 === 0 ? 'node-a' : 'node-b', push: envelope(`p${i}`), headers: {} }));
    const seqs = (await Promise.all(publishes)).map((positions) => positions['u:alice']!.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const read = await a.history.read('u:alice', { epoch: (await a.history.positions(['u:alice']))['u:alice']!.epoch, seq: 0 });
    expect(read.entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // Each entry is the push that was given that position.
    const byId = new Map(read.entries.map((entry) => [entry.message.push.id, entry.seq]));
    seqs.forEach((seq, i) => expect(byId.get(`p${i}`)).toBe(seq));
  });

  it('counts what it holds', async () => {
    const { a, b } = await pair();
    for (let i = 1; i <= 3; i += 1) await a.publish({ origin: 'node-a', push: envelope(`p${i}`, '"12345678"', { users: ['alice', 'bob'], tags: [], all: false }), headers: {} });
    await expect.poll(() => b.history.size().messages, { timeout: 8000, interval: 100 }).toBeGreaterThanOrEqual(6);
    const size = b.history.size();
    expect(size.streams).toBeGreaterThanOrEqual(2);
    expect(size.bytes).toBeGreaterThanOrEqual(6 * 8);
  });
}

