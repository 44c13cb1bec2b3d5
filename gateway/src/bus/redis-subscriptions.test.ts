import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../testing/broker-process.ts';
import { startSubscriptionFaultBroker } from '../testing/subscription-faults.ts';
import { CONTRACT_HISTORY } from './bus-contract.ts';
import { validPush } from './bus-poison-cases.ts';
import type { Bus, BusMessage } from './bus.ts';
import { redisChannels } from './redis-channels.ts';
import { ROUTED_COPIES } from './redis-history-scripts.ts';
import { createRedisBus } from './redis.ts';

// What the contract cannot say for every bus: the channels Redis holds for a node's watches, while
// its connection comes and goes, and what else may be published on them.
const url = process.env.WSGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const patience = { timeout: 5000, interval: 10 };

const toUsers = (id: string, ...users: string[]) => ({ origin: 'node-a', push: { ...validPush(id, users[0]!), to: { users, tags: [], all: false } }, headers: {} });

describe('redis bus subscriptions', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const connectedBus = async (busUrl: string, prefix: string, nodeId?: string): Promise<Bus> => {
    const bus = createRedisBus({ url: busUrl, prefix, nodeId, history: CONTRACT_HISTORY });
    cleanup.push(() => bus.close());
    await expect.poll(() => bus.health().connected, patience).toBe(true);
    return bus;
  };

  const rawClient = async (busUrl: string) => {
    const raw = createClient({ url: busUrl });
    await raw.connect();
    cleanup.push(() => raw.close());
    return raw;
  };

  const heard = async (bus: Bus) => {
    const received: BusMessage[] = [];
    await bus.subscribe((message) => received.push(message)).ready;
    return received;
  };
  const ids = (messages: BusMessage[]) => messages.map((message) => message.push.id);

  it('holds again the watches made while the server was gone, and gives up those released then', async () => {
    const broker = await startBroker('redis');
    cleanup.push(() => broker.stop());
    const prefix = `wsgw-test-${randomUUID()}`;
    const channels = redisChannels(prefix);
    const bus = await connectedBus(broker.url, prefix);
    const received = await heard(bus);
    await Promise.all([bus.watch('u:kept'), bus.watch('u:released')]);

    await broker.stop();
    await expect.poll(() => bus.health().connected, patience).toBe(false);
    const late = bus.watch('u:late');
    bus.unwatch('u:released');
    await broker.restart();
    await expect.poll(() => bus.health().connected, { ...patience, timeout: 10_000 }).toBe(true);
    // Ready means subscribed: the watch made during the outage is held the moment the node says so.
    const raw = await rawClient(broker.url);
    expect(await raw.pubSubNumSub([channels.stream('u:late'), channels.stream('u:kept')])).toEqual({ [channels.stream('u:late')]: 1, [channels.stream('u:kept')]: 1 });
    await late;
    // The released one was subscribed again with the rest, and is given up once the node is back.
    await expect.poll(async () => (await raw.pubSubNumSub(channels.stream('u:released')))[channels.stream('u:released')], patience).toBe(0);

    const publisher = await connectedBus(broker.url, prefix);
    for (const user of ['released', 'late', 'kept']) await publisher.publish(toUsers(user, user));
    await expect.poll(() => ids(received), patience).toEqual(['late', 'kept']);
  }, 30_000);

  it('is not ready after a reconnection until a watch it could not subscribe to holds', async () => {
    const broker = await startSubscriptionFaultBroker('redis');
    cleanup.push(() => broker.stop());
    const prefix = `wsgw-test-${randomUUID()}`;
    const channels = redisChannels(prefix);
    const bus = await connectedBus(broker.url, prefix);
    const received = await heard(bus);
    await bus.watch('u:kept');
    const { reconnects } = bus.health();

    await broker.cutSubscriptions();
    await expect.poll(() => bus.health().connected, patience).toBe(false);
    const late = bus.watch('u:late');
    // Everything but the late watch's channel: the connection comes back with what it held before.
    await (await rawClient(broker.url)).sendCommand(['ACL', 'SETUSER', 'default', `&${channels.signal}`, `&${channels.fanOut}`, `&${channels.stream('u:kept')}`]);
    await expect.poll(() => bus.health().reason, { ...patience, timeout: 10_000 }).toMatch(/subscribing to 1 channel/);
    expect(bus.health().connected).toBe(false);
    await broker.restoreSubscriptions();
    await expect.poll(() => bus.health().connected, { ...patience, timeout: 10_000 }).toBe(true);
    await late;
    expect(bus.health().reconnects).toBe(reconnects + 1);

    const publisher = await connectedBus(broker.url, prefix);
    for (const user of ['late', 'kept']) await publisher.publish(toUsers(user, user));
    await expect.poll(() => ids(received), patience).toEqual(['late', 'kept']);
  }, 30_000);

  it('holds 10,000 watches, again after its subscriber connection is cut, and hears a push to all of them once without losing the connection', async () => {
    const broker = await startBroker('redis');
    cleanup.push(() => broker.stop());
    const prefix = `wsgw-test-${randomUUID()}`;
    const bus = await connectedBus(broker.url, prefix);
    const received = await heard(bus);
    const users = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
    await Promise.all(users.map((user) => bus.watch(`u:${user}`)));
    const raw = await rawClient(broker.url);
    const held = async () => ((await raw.sendCommand(['PUBSUB', 'CHANNELS', `${prefix}.s.*`])) as string[]).length;
    expect(await held()).toBe(10_000);

    const { reconnects } = bus.health();
    await raw.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    await expect.poll(() => bus.health().reconnects, { ...patience, timeout: 10_000 }).toBe(reconnects + 1);
    expect(bus.health().connected).toBe(true);
    expect(await held()).toBe(10_000);

    // Its text holds 10,000 positions: as 10,000 copies it would pass Redis's output limit for a subscriber.
    const publisher = await connectedBus(broker.url, prefix);
    await publisher.publish(toUsers('everyone', ...users));
    await publisher.publish(toUsers('marker', 'user-0'));
    await expect.poll(() => ids(received), { ...patience, timeout: 10_000 }).toEqual(['everyone', 'marker']);
    expect(bus.health()).toMatchObject({ connected: true, reconnects: reconnects + 1 });
  }, 30_000);

  it('drops what is not a push on a stream channel, or not a signal on its own signal channel, and stays ready', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    const channels = redisChannels(prefix);
    const bus = await connectedBus(url, prefix, 'node-a');
    const received = await heard(bus);
    const signals: unknown[] = [];
    await bus.onSignal({ topic: 'ping', parse: (body) => ({ ok: true, value: body }), handle: (_origin, body) => signals.push(body) }).ready;
    await bus.watch('u:alice');
    const raw = await rawClient(url);
    for (const text of ['{"origin":', 'null', JSON.stringify({ origin: 'intruder', push: { ...validPush('x', 'alice'), id: 5 } })]) {
      await raw.publish(channels.stream('u:alice'), text);
      await raw.publish(channels.signalTo('node-a'), text);
    }
    // Markers behind the poison, on the same channels.
    await raw.publish(channels.stream('u:alice'), JSON.stringify({ origin: 'intruder', push: validPush('marker', 'alice'), headers: {} }));
    await raw.publish(channels.signalTo('node-a'), JSON.stringify({ origin: 'intruder', topic: 'ping', body: 'marker' }));
    await expect.poll(() => [ids(received), signals], patience).toEqual([['marker'], ['marker']]);
    expect(bus.invalidMessages()).toEqual({ push: 3, signal: 3 });
    expect(bus.health().connected).toBe(true);
  });

  it('hears each push to several of its streams once, in order', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    const bus = await connectedBus(url, prefix);
    const received = await heard(bus);
    await Promise.all(['u:alice', 'u:bob', 'u:carol'].map((stream) => bus.watch(stream)));
    const publisher = await connectedBus(url, prefix);
    for (let i = 0; i < 50; i += 1) await publisher.publish(toUsers(`p${i}`, 'alice', 'bob', 'carol'));
    await publisher.publish(toUsers('marker', 'carol'));
    await expect.poll(() => ids(received).at(-1), patience).toBe('marker');
    expect(ids(received)).toEqual([...Array.from({ length: 50 }, (_, i) => `p${i}`), 'marker']);
  });

  it('sends a push to many streams once to every node, where only the nodes watching one of them keep it, in position order', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    const [watching, other, publisher] = [await connectedBus(url, prefix), await connectedBus(url, prefix), await connectedBus(url, prefix)];
    const [atWatching, atOther] = [await heard(watching), await heard(other)];
    await Promise.all([watching.watch('u:alice'), watching.watch('u:user-3'), other.watch('u:bob')]);
    const many = ['alice', ...Array.from({ length: ROUTED_COPIES }, (_, i) => `user-${i}`)];
    const onFanOut: string[] = [];
    await (await rawClient(url)).subscribe(redisChannels(prefix).fanOut, (text) => onFanOut.push(JSON.parse(text).push.id));
    for (let i = 0; i < 10; i += 1) await publisher.publish(i % 2 === 0 ? toUsers(`many-${i}`, ...many) : toUsers(`one-${i}`, 'alice'));
    // One copy whatever its size: past the bytes of copies, still only on its stream's channel.
    await publisher.publish({ origin: 'node-a', push: validPush('big', 'alice', JSON.stringify('x'.repeat(1_200_000))), headers: {} });
    // A marker behind them on the fan-out channel too.
    await publisher.publish(toUsers('marker', 'bob', ...Array.from({ length: ROUTED_COPIES }, (_, i) => `other-${i}`)));
    await expect.poll(() => ids(atOther), patience).toEqual(['marker']);
    await expect.poll(() => ids(atWatching).length, patience).toBe(11);
    expect(ids(atWatching)).toEqual([...Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? `many-${i}` : `one-${i}`)), 'big']);
    expect(atWatching.map((message) => message.positions['u:alice']!.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    // Once on the fan-out channel, and only the pushes past the copies.
    await expect.poll(() => onFanOut, patience).toEqual(['many-0', 'many-2', 'many-4', 'many-6', 'many-8', 'marker']);
  });
});
