import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../testing/broker-process.ts';
import { CONTRACT_HISTORY } from './bus-contract.ts';
import { validPush } from './bus-poison-cases.ts';
import { BusUnavailableError, type Bus } from './bus.ts';
import { redisHistoryKeys } from './redis-history.ts';
import { createRedisBus } from './redis.ts';

// What the contract cannot say for every bus: what Redis itself may hold under the prefix
// (forged entries, keys of another type), and a server that comes back without its data.
const url = process.env.WSGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const patience = { timeout: 5000, interval: 10 };

const toUser = (id: string, user: string) => ({ origin: 'node-a', push: validPush(id, user), headers: {} });

describe('redis bus history', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const connectedBus = async (busUrl = url, prefix = `wsgw-test-${randomUUID()}`): Promise<{ bus: Bus; prefix: string }> => {
    const bus = createRedisBus({ url: busUrl, prefix, history: CONTRACT_HISTORY });
    cleanup.push(() => bus.close());
    await expect.poll(() => bus.health().connected, patience).toBe(true);
    return { bus, prefix };
  };

  const rawClient = async () => {
    const raw = createClient({ url });
    await raw.connect();
    cleanup.push(() => raw.close());
    return raw;
  };

  it('drops and counts forged, broken and misplaced entries, and replays only what passed its checks', async () => {
    const { bus, prefix } = await connectedBus();
    const given = (await bus.publish(toUser('p1', 'alice')))['u:alice']!;
    const keys = redisHistoryKeys(prefix);
    const raw = await rawClient();
    const at = String(Date.now());
    const message = (id: string, seq: number) => JSON.stringify({ origin: 'intruder', push: validPush(id, 'alice'), headers: {}, positions: { 'u:alice': { epoch: given.epoch, seq } } });
    const history = keys.history('u:alice');
    await raw.xAdd(history, '2-0', { m: '{"origin":', t: at });
    await raw.xAdd(history, '3-0', { m: message('claims-nine', 9), t: at });
    await raw.xAdd(history, '4-0', { m: JSON.stringify({ origin: 'intruder', push: { ...validPush('x', 'alice'), id: 5 }, headers: {} }), t: at });
    await raw.xAdd(history, '4-7', { m: message('between', 4), t: at });
    await raw.xAdd(history, '5-0', { m: message('timeless', 5) });
    // Well formed and at its position: as indistinguishable from a push as one sent on the channel.
    await raw.xAdd(history, '6-0', { m: message('well-formed', 6), t: at });
    await raw.hSet(keys.meta('u:alice'), 'seq', '6');

    const read = await bus.history.read('u:alice', { epoch: given.epoch, seq: 0 });
    expect(read.result).toBe('gap');
    expect(read.entries.map((entry) => [entry.seq, entry.message.push.id])).toEqual([[1, 'p1'], [6, 'well-formed']]);
    expect(bus.invalidMessages()).toEqual({ push: 5, signal: 0 });
    expect(bus.health().connected).toBe(true);
  });

  it('replaces keys of another type, or a meta no node wrote, under the prefix instead of failing on them', async () => {
    const { bus, prefix } = await connectedBus();
    const keys = redisHistoryKeys(prefix);
    const bob = (await bus.publish(toUser('b1', 'bob')))['u:bob']!;
    const raw = await rawClient();
    await raw.set(keys.meta('u:carol'), 'junk');
    await raw.set(keys.history('u:bob'), 'junk');
    await raw.rPush(keys.history('u:dave'), 'junk');
    await raw.set(keys.index, 'junk');
    await raw.hSet(keys.meta('u:erin'), { epoch: 'e'.repeat(65), seq: '3' });

    // Bob keeps his epoch and position; his history is gone, which a client from 0 hears as a gap.
    expect(await bus.history.read('u:bob', { epoch: bob.epoch, seq: 0 })).toEqual({ result: 'gap', entries: [], position: bob });
    const positions = await bus.publish({ origin: 'node-a', push: { ...validPush('all', 'bob'), to: { users: ['bob', 'carol', 'dave', 'erin'], tags: [], all: false } }, headers: {} });
    expect(Object.values(positions).map((position) => position.seq)).toEqual([2, 1, 1, 1]);
    expect(positions['u:erin']!.epoch).not.toBe('e'.repeat(65));
    expect(positions['u:bob']!.epoch).toBe(bob.epoch);
    const carol = await bus.history.read('u:carol', { epoch: positions['u:carol']!.epoch, seq: 0 });
    expect(carol.entries.map((entry) => entry.message.push.id)).toEqual(['all']);
    expect(carol.result).toBe('recovered');
  });

  it('begins new epochs when the server comes back without its data, and is unavailable while it is gone', async () => {
    const broker = await startBroker('redis');
    cleanup.push(() => broker.stop());
    const { bus } = await connectedBus(broker.url);
    const before = (await bus.publish(toUser('p1', 'alice')))['u:alice']!;
    expect(before.seq).toBe(1);
    await broker.stop();
    await expect.poll(() => bus.health().connected, patience).toBe(false);
    await expect(bus.history.read('u:alice', before)).rejects.toThrow(BusUnavailableError);
    await expect(bus.history.positions(['u:alice'])).rejects.toThrow(BusUnavailableError);
    await broker.restart();
    await expect.poll(() => bus.health().connected, { ...patience, timeout: 10_000 }).toBe(true);

    // The server has forgotten its scripts too: they are sent again.
    const read = await bus.history.read('u:alice', before);
    expect(read.result).toBe('unknown_epoch');
    expect(read.position.seq).toBe(0);
    expect(read.position.epoch).not.toBe(before.epoch);
    expect((await bus.publish(toUser('p2', 'alice')))['u:alice']).toEqual({ epoch: read.position.epoch, seq: 1 });
  }, 30_000);
});
