import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryBroker, createMemoryBus } from '../bus/memory.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

// The servers this machine runs; each cluster uses its own prefix.
const SERVERS = {
  memory: 'memory',
  nats: process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
  redis: process.env.WSGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** Three nodes on one bus (an in-process broker for `memory`), each knowing the others. */
async function cluster(bus = 'memory'): Promise<TestGateway[]> {
  const broker = createMemoryBroker();
  const busPrefix = `wsgw-test-${randomUUID()}`;
  const nodes: TestGateway[] = [];
  for (const nodeId of ['node-a', 'node-b', 'node-c']) {
    const shared = nodes[0] ? { apiKey: nodes[0].config.apiKey, jwtSecret: nodes[0].config.jwtSecret } : {};
    const config = { nodeId, nodeTimeoutMs: 1500, clusterWaitMs: 1000, bus, busPrefix, ...shared };
    nodes.push(await startTestGateway(config, bus === 'memory' ? createMemoryBus(broker, { nodeId }) : undefined));
  }
  for (const node of nodes) await expect.poll(async () => (await fetch(`${node.http}/ready`)).status, { timeout: 5000 }).toBe(200);
  for (const node of nodes) await expect.poll(async () => (await node.api('GET', '/api/cluster')).body.nodes.length, { timeout: 5000 }).toBe(3);
  for (const node of nodes) await expect.poll(async () => (await node.api('GET', '/api/users/nobody')).body.complete, { timeout: 5000 }).toBeUndefined();
  return nodes;
}

/** `wsgw_bus_pushes_received_total` of each node. */
async function received(nodes: TestGateway[]): Promise<number[]> {
  return Promise.all(
    nodes.map(async (node) => {
      const text = await (await fetch(`${node.http}/metrics`)).text();
      return Number(/^wsgw_bus_pushes_received_total (\d+)$/m.exec(text)?.[1]);
    }),
  );
}

describe.each(Object.entries(SERVERS))('interest routing (%s)', (_kind, bus) => {
  it('hands each push to one user only to the node holding that user: a third of a message per node per push', async () => {
    const nodes = await cluster(bus);
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    const clients = await Promise.all(users.map((user, i) => nodes[i % 3]!.connect(user)));
    const before = await received(nodes);
    // 90 pushes, each through a node chosen apart from where its user is.
    for (let n = 0; n < 90; n += 1) {
      const answer = await nodes[(n * 7) % 3]!.push({ to: { users: [users[n % 30]!] }, data: n });
      expect(answer.body).toEqual({ id: expect.any(String), recipients: 1 });
    }
    await Promise.all(clients.map((client) => client.waitForPushes(3)));
    const after = await received(nodes);
    // Each node heard the 30 pushes to its 10 users, and nothing else: 30 / 90 per node per push.
    expect(after.map((count, i) => count - before[i]!)).toEqual([30, 30, 30]);
  });
});

describe('interest routing', () => {
  it('hands a push only to the nodes holding its streams, and still counts every recipient', async () => {
    const [a, b, c] = await cluster();
    const alice = await a!.connect('alice');
    const bobs = [await b!.connect('bob'), await c!.connect('bob', ['news'])];
    const before = await received([a!, b!, c!]);

    expect((await b!.push({ to: { users: ['alice'] }, data: 'to alice' })).body).toEqual({ id: expect.any(String), recipients: 1 });
    expect((await a!.push({ to: { users: ['bob'] }, data: 'to bob' })).body).toEqual({ id: expect.any(String), recipients: 2 });
    expect((await a!.push({ to: { tags: ['news'] }, data: 'news' })).body).toEqual({ id: expect.any(String), recipients: 1 });
    await alice.waitForPushes(1);
    for (const bob of bobs) await bob.waitFor((frame) => frame.type === 'push' && frame.data === 'to bob');
    await bobs[1]!.waitFor((frame) => frame.type === 'push' && frame.data === 'news');

    // One bus message per push per node holding a recipient: alice's push reached node-a only,
    // bob's node-b and node-c, the tag's node-c; node-a's own pushes did not come back to it.
    const after = await received([a!, b!, c!]);
    expect(after.map((count, i) => count - before[i]!)).toEqual([1, 1, 2]);

    const lookup = (await c!.api('GET', '/api/users/alice')).body;
    expect(lookup).toMatchObject({ user: 'alice', connections: [{ id: alice.welcome.connection, node: 'node-a' }] });
    expect(lookup.complete).toBeUndefined();
    expect((await c!.push({ to: { all: true }, data: 'everyone' })).body.recipients).toBe(3);
  });

  it('counts a connection that opened just before the push, on another node', async () => {
    const [a, , c] = await cluster();
    for (let i = 0; i < 5; i += 1) {
      const carol = await c!.connect(`carol-${i}`);
      // Pushed the moment the welcome is in: the other nodes already know node-c holds her stream.
      const answer = await a!.push({ to: { users: [`carol-${i}`] }, data: i });
      expect(answer.body).toEqual({ id: expect.any(String), recipients: 1 });
      await carol.waitForPushes(1);
    }
  });

  it('stops handing a node the pushes of a stream once its last connection there has gone', async () => {
    const [a, b] = await cluster();
    const dave = await b!.connect('dave');
    const erin = await b!.connect('erin');
    await dave.close();
    await expect.poll(async () => (await a!.push({ to: { users: ['dave'] }, data: 'closing' })).body.recipients).toBe(0);
    const before = await received([a!, b!]);
    expect((await a!.push({ to: { users: ['dave'] }, data: 'gone' })).body.recipients).toBe(0);
    // A marker node-b still holds: once it is in, anything else it was handed is counted too.
    expect((await a!.push({ to: { users: ['erin'] }, data: 'marker' })).body.recipients).toBe(1);
    await erin.waitForPushes(1);
    const after = await received([a!, b!]);
    expect(after[1]! - before[1]!).toBe(1);
  });

  it('closes a user\'s connections, or one by id, on whichever nodes hold them, through /api on any node', async () => {
    const [a, b, c] = await cluster();
    const alice = [await b!.connect('alice'), await c!.connect('alice')];
    const bob = await c!.connect('bob');
    expect((await a!.api('POST', '/api/users/alice/disconnect')).body).toEqual({ disconnected: 2 });
    for (const client of alice) expect((await client.closed).code).toBe(4001);
    expect((await a!.api('POST', `/api/connections/${bob.welcome.connection}/disconnect`)).body).toEqual({ disconnected: 1 });
    expect((await bob.closed).code).toBe(4001);
    expect(await a!.api('POST', '/api/connections/nobody/disconnect')).toMatchObject({ status: 404, body: { error: 'no such connection' } });
  });
});
