import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../testing/broker-process.ts';
import { removeNatsHistory } from '../testing/nats-history-cleanup.ts';
import type { PushEnvelope } from '../push/push-envelope.ts';
import { CONTRACT_HISTORY } from './bus-contract.ts';
import { BusUnavailableError, type Bus, type HistoryLimits } from './bus.ts';
import { historyLayout, subjectToken } from './nats-history-layout.ts';
import { createNatsBus } from './nats.ts';

const url = process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const patience = { timeout: 5000, interval: 10 };

const envelope = (id: string, users = ['alice']): PushEnvelope => ({
  id,
  ts: Date.now(),
  acceptedAt: Date.now(),
  publishedAt: Date.now(),
  to: { users, tags: [], all: false },
  payload: `"${id}"`,
});

const made: Bus[] = [];
const raw: NatsConnection[] = [];
/** Prefixes used on the shared server, whose JetStream streams go once the file is done. */
const prefixes = new Set<string>();
afterEach(async () => {
  await Promise.all(made.splice(0).map((bus) => bus.close()));
  await Promise.all(raw.splice(0).map((nc) => nc.close()));
});
afterAll(() => removeNatsHistory(url, prefixes));

async function connectedBus(prefix: string, server = url, history: HistoryLimits = CONTRACT_HISTORY): Promise<Bus> {
  const bus = createNatsBus({ url: server, prefix, name: 'wsgw-test', history });
  made.push(bus);
  if (server === url) prefixes.add(prefix);
  await expect.poll(() => bus.health().connected, patience).toBe(true);
  return bus;
}

async function rawConnection(server = url): Promise<NatsConnection> {
  const nc = await connect({ servers: server });
  raw.push(nc);
  return nc;
}

describe('NATS history layout', () => {
  it('makes one subject token of any stream name, and tells different names apart', () => {
    const names = ['u:alice', 'u:a.b', 'u:a_b', 'u:*', 'u:>', 'u:with space', 't:ünï', 'all', `u:${'x'.repeat(5000)}`, `u:${'x'.repeat(5001)}`];
    const tokens = names.map(subjectToken);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{2,201}$/);
    expect(new Set(tokens).size).toBe(names.length);
  });

  it('names JetStream streams JetStream accepts, apart for prefixes that clean to the same', () => {
    const [dotted, underscored] = [historyLayout('a.b c'), historyLayout('a_b_c')];
    for (const name of [dotted.counters, dotted.entries]) expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(dotted.entries).not.toBe(underscored.entries);
    expect(dotted.entrySubject('u:x.y')).toBe(`a.b c.h.${subjectToken('u:x.y')}`);
  });
});

describe('NATS history', () => {
  it('replays only entries that pass as bus messages with their position, and counts the rest', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    const bus = await connectedBus(prefix);
    const first = (await bus.publish({ origin: 'node-a', push: envelope('p1'), headers: {} }))['u:alice']!;
    // Forged entries on the stream's subject: not JSON, not a message, no position in the stream,
    // another epoch's, a position past the stream's, and a repeat of a real position.
    const nc = await rawConnection();
    const subject = historyLayout(prefix).entrySubject('u:alice');
    const forged = (positions: unknown, id = 'forged') => JSON.stringify({ origin: 'intruder', push: envelope(id), headers: {}, positions });
    const poison = ['not json', '42', JSON.stringify({ origin: 'intruder', push: { id: 'x' } }), forged({}), forged({ 'u:bob': first }), forged({ 'u:alice': { epoch: 'other', seq: 2 } }), forged({ 'u:alice': { ...first, seq: 99 } }), forged({ 'u:alice': first }, 'p1-again')];
    for (const text of poison) nc.publish(subject, text);
    await nc.flush();
    await bus.publish({ origin: 'node-a', push: envelope('p2'), headers: {} });

    const read = await bus.history.read('u:alice', { epoch: first.epoch, seq: 0 });
    expect(read.result).toBe('recovered');
    expect(read.entries.map((entry) => [entry.seq, entry.message.push.id])).toEqual([[1, 'p1'], [2, 'p2']]);
    // Not JSON, not a message, a message without a position there, one naming a stream it does not target, a repeat.
    expect(bus.invalidMessages()).toEqual({ push: 6, signal: 0 });
    expect(bus.health().connected).toBe(true);
  });

  it('has subscribers hear one node\'s concurrent publishes in position order', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    const [a, b] = [await connectedBus(prefix), await connectedBus(prefix)];
    const heard: number[] = [];
    await b.subscribe((message) => heard.push(message.positions['u:alice']!.seq)).ready;
    await b.watch('u:alice');
    await Promise.all(Array.from({ length: 50 }, (_, i) => a.publish({ origin: 'node-a', push: envelope(`p${i}`), headers: {} })));
    await expect.poll(() => heard.length, patience).toBe(50);
    expect(heard).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('stores a push with the same positions in every stream, when nodes append to several at once', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    const [a, b] = [await connectedBus(prefix), await connectedBus(prefix)];
    const streams = ['u:alice', 'u:bob', 't:news'];
    const publishes = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).publish({
      origin: 'node',
      push: { ...envelope(`p${i}`), to: { users: i % 3 === 0 ? ['alice'] : ['alice', 'bob'], tags: ['news'], all: false } },
      headers: {},
    }));
    const given = await Promise.all(publishes);
    const start = await a.history.positions(streams);
    for (const stream of streams) {
      const read = await b.history.read(stream, { epoch: start[stream]!.epoch, seq: 0 });
      expect(read.result).toBe('recovered');
      expect(read.entries.map((entry) => entry.seq)).toEqual(Array.from({ length: read.position.seq }, (_, i) => i + 1));
      for (const entry of read.entries) expect(entry.message.positions).toEqual(given[Number(entry.message.push.id.slice(1))]);
    }
  });

  it('reads a position that was taken but never written (its node died mid-append) as a gap', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    const bus = await connectedBus(prefix);
    const first = (await bus.publish({ origin: 'node-a', push: envelope('p1'), headers: {} }))['u:alice']!;
    // Position 2 is taken as a node does, and its push never stored.
    const nc = await rawConnection();
    nc.publish(historyLayout(prefix).counterSubject('u:alice'), JSON.stringify({ epoch: first.epoch, seq: 2 }));
    await nc.flush();
    expect((await bus.history.read('u:alice', first)).result).toBe('gap');
    const third = (await bus.publish({ origin: 'node-a', push: envelope('p3'), headers: {} }))['u:alice']!;
    expect(third).toEqual({ epoch: first.epoch, seq: 3 });
    const read = await bus.history.read('u:alice', { epoch: first.epoch, seq: 0 });
    expect(read.result).toBe('gap');
    expect(read.entries.map((entry) => entry.seq)).toEqual([1, 3]);
    expect(await bus.history.read('u:alice', { epoch: first.epoch, seq: 2 })).toMatchObject({ result: 'recovered', entries: [{ seq: 3 }] });
  });

  it('starts a stream again under a new epoch when its counter is not one a node wrote', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    const bus = await connectedBus(prefix);
    const given = (await bus.publish({ origin: 'node-a', push: envelope('p1'), headers: {} }))['u:alice']!;
    const nc = await rawConnection();
    nc.publish(historyLayout(prefix).counterSubject('u:alice'), '{"epoch":"","seq":-4}');
    await nc.flush();
    const now = (await bus.history.positions(['u:alice']))['u:alice']!;
    expect(now.seq).toBe(0);
    expect(now.epoch).not.toBe(given.epoch);
    expect((await bus.history.read('u:alice', given)).result).toBe('unknown_epoch');
    expect(bus.invalidMessages().push).toBeGreaterThanOrEqual(1);
    expect((await bus.publish({ origin: 'node-a', push: envelope('p2'), headers: {} }))['u:alice']).toEqual({ epoch: now.epoch, seq: 1 });
  });

  it('begins new epochs when the JetStream streams are deleted, and makes them again', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    const bus = await connectedBus(prefix);
    const given = (await bus.publish({ origin: 'node-a', push: envelope('p1'), headers: {} }))['u:alice']!;
    const jsm = await jetstreamManager(await rawConnection());
    const layout = historyLayout(prefix);
    await Promise.all([jsm.streams.delete(layout.counters), jsm.streams.delete(layout.entries)]);
    // The first use after the loss fails (the bus is told the streams are gone); the next makes them again.
    await expect.poll(async () => bus.publish({ origin: 'node-a', push: envelope('p2'), headers: {} }).then((positions) => positions['u:alice']!.seq, () => 0), patience).toBe(1);
    const now = (await bus.history.positions(['u:alice']))['u:alice']!;
    expect(now.epoch).not.toBe(given.epoch);
    expect(await bus.history.read('u:alice', given)).toMatchObject({ result: 'unknown_epoch', entries: [] });
  });

  it('brings the JetStream streams to the limits of a node that holds others', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    await connectedBus(prefix);
    const jsm = await jetstreamManager(await rawConnection());
    const layout = historyLayout(prefix);
    await expect.poll(async () => (await jsm.streams.info(layout.entries).catch(() => undefined))?.config.max_msgs_per_subject, patience).toBe(CONTRACT_HISTORY.size);
    await connectedBus(prefix, url, { ...CONTRACT_HISTORY, size: 3, ttlMs: 2000 });
    await expect.poll(async () => (await jsm.streams.info(layout.entries)).config, patience).toMatchObject({ max_msgs_per_subject: 3, max_age: 2000 * 1e6 });
  });

  it('gives positions but holds nothing with a size of 0', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    const bus = await connectedBus(prefix, url, { ...CONTRACT_HISTORY, size: 0 });
    const given = [];
    for (const id of ['p1', 'p2']) given.push((await bus.publish({ origin: 'node-a', push: envelope(id), headers: {} }))['u:alice']!);
    expect(given.map((position) => position.seq)).toEqual([1, 2]);
    expect(await bus.history.read('u:alice', { ...given[0]!, seq: 0 })).toEqual({ result: 'gap', entries: [], position: given[1] });
    expect(await bus.history.read('u:alice', given[1]!)).toEqual({ result: 'recovered', entries: [], position: given[1] });
  });

  it('keeps the history and its epochs across a restart of the server', async () => {
    const server = await startBroker('nats');
    try {
      const prefix = `wsgw-test-${randomUUID()}`;
      const bus = await connectedBus(prefix, server.url);
      const given = (await bus.publish({ origin: 'node-a', push: envelope('p1'), headers: {} }))['u:alice']!;
      await server.stop();
      await expect.poll(() => bus.health().connected, patience).toBe(false);
      await expect(bus.history.read('u:alice', given)).rejects.toThrow(BusUnavailableError);
      await server.restart();
      await expect.poll(() => bus.health().connected, { ...patience, timeout: 10_000 }).toBe(true);
      const read = await bus.history.read('u:alice', { epoch: given.epoch, seq: 0 });
      expect(read).toMatchObject({ result: 'recovered', position: given });
      expect(read.entries.map((entry) => entry.message.push.id)).toEqual(['p1']);
    } finally {
      await server.stop();
    }
  }, 30_000);
});
