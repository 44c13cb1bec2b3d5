import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createMemoryBroker, createMemoryBus } from '../bus/memory.ts';
import type { GatewayConfig } from '../config.ts';
import type { PushInspection, UserPushes } from '../protocol.ts';
import type { TestClient } from '../testing/test-client.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

const SERVERS = {
  nats: process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
  redis: process.env.WSGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** Nodes on one bus (an in-process broker for `memory`), each knowing the others. */
async function cluster(bus: string, ids = ['node-a', 'node-b', 'node-c'], overrides: Partial<GatewayConfig> = {}, broker = createMemoryBroker()): Promise<TestGateway[]> {
  const busPrefix = `wsgw-test-${randomUUID()}`;
  const nodes: TestGateway[] = [];
  for (const nodeId of ids) {
    const shared = nodes[0] ? { apiKey: nodes[0].config.apiKey, jwtSecret: nodes[0].config.jwtSecret, adminToken: nodes[0].config.adminToken } : {};
    const config = { nodeId, nodeTimeoutMs: 1500, clusterWaitMs: 1000, bus, busPrefix, ...overrides, ...shared };
    nodes.push(await startTestGateway(config, bus === 'memory' ? createMemoryBus(broker, { nodeId }) : undefined));
  }
  for (const node of nodes) await expect.poll(async () => (await fetch(`${node.http}/ready`)).status, { timeout: 5000 }).toBe(200);
  for (const node of nodes) await expect.poll(async () => (await node.api('GET', '/api/cluster')).body.nodes.length, { timeout: 5000 }).toBe(ids.length);
  for (const node of nodes) await expect.poll(async () => (await node.api('GET', '/api/users/nobody')).body.complete, { timeout: 5000 }).toBeUndefined();
  return nodes;
}

const inspect = async (node: TestGateway, id: string) => (await node.api('GET', `/api/pushes/${encodeURIComponent(id)}`)) as { status: number; body: PushInspection };
const socketOf = (client: TestClient) => (client.ws as unknown as { _socket: Socket })._socket;
const nodeOf = (inspection: PushInspection, node: string) => inspection.nodes.find((record) => record.node === node);

describe.each(Object.entries(SERVERS))('push inspector across the cluster (%s)', (_kind, bus) => {
  it('shows per node matched, written and acked, and per connection when it was written and acked', async () => {
    const [a, b, c] = await cluster(bus);
    const onA = await a!.connect('alice');
    const onB = await b!.connect('alice');
    const pushed = await c!.push({ to: { users: ['alice'] }, data: 'hello' });
    expect(pushed.body).toMatchObject({ recipients: 2 });
    const id = pushed.body.id as string;
    await onA.waitForPushes(1);
    await onB.waitForPushes(1);
    onA.send({ type: 'ack', id });

    await expect.poll(async () => nodeOf((await inspect(c!, id)).body, 'node-a')?.acked, { timeout: 5000 }).toBe(1);
    const { status, body } = await inspect(c!, id);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id, acceptedBy: 'node-c', to: { users: ['alice'] } });
    expect(body.complete).toBeUndefined();
    expect(body.publishedAt).toBeGreaterThanOrEqual(body.acceptedAt);
    // The accepting node first: it matched nothing, and says so.
    expect(body.nodes.map((node) => node.node)).toEqual(['node-c', 'node-a', 'node-b']);
    expect(body.nodes[0]).toMatchObject({ matched: 0, written: 0, acked: 0, connections: [] });
    const [recordA, recordB] = [nodeOf(body, 'node-a')!, nodeOf(body, 'node-b')!];
    expect(recordA).toMatchObject({ matched: 1, written: 1, acked: 1, dropped: { slow_consumer: 0, closed: 0 } });
    expect(recordB).toMatchObject({ matched: 1, written: 1, acked: 0 });
    const [connA] = recordA.connections;
    const [connB] = recordB.connections;
    expect(connA).toMatchObject({ connection: onA.welcome.connection, user: 'alice', node: 'node-a' });
    expect(connB).toMatchObject({ connection: onB.welcome.connection, user: 'alice', node: 'node-b' });
    expect(connA!.writtenAt).toBeGreaterThanOrEqual(body.acceptedAt);
    expect(connA!.ackedAt).toBeGreaterThanOrEqual(connA!.writtenAt!);
    expect(connB!.writtenAt).toBeGreaterThanOrEqual(body.acceptedAt);
    expect(connB!.ackedAt).toBeUndefined();
    expect(recordA.ackLatency).toMatchObject({ count: 1 });
    expect(recordB.writeLatency).toMatchObject({ count: 1 });
    expect(recordB.ackLatency).toBeUndefined();

    // Any node answers the same, the console's route included.
    const fromB = (await b!.operator('GET', `/pushes/${id}`)).body as PushInspection;
    expect(fromB.nodes.map((node) => [node.node, node.matched, node.acked])).toEqual([['node-c', 0, 0], ['node-a', 1, 1], ['node-b', 1, 0]]);

    // The user's pushes: this one, with both connections and their outcomes.
    const mine = (await a!.api('GET', '/api/users/alice/pushes')).body as UserPushes;
    expect(mine.user).toBe('alice');
    expect(mine.pushes).toHaveLength(1);
    expect(mine.pushes[0]).toMatchObject({ id, to: { users: ['alice'] } });
    const outcomes = mine.pushes[0]!.connections.map((connection) => [connection.node, connection.ackedAt !== undefined]).sort();
    expect(outcomes).toEqual([['node-a', true], ['node-b', false]]);
  });

  it('answers for a user offline everywhere: matched 0 on the accepting node', async () => {
    const [a, b] = await cluster(bus, ['node-a', 'node-b']);
    const pushed = await a!.push({ to: { users: ['ghost'] }, data: 'anyone?' });
    expect(pushed.body).toMatchObject({ recipients: 0 });
    const { status, body } = await inspect(b!, pushed.body.id);
    expect(status).toBe(200);
    expect(body).toMatchObject({ acceptedBy: 'node-a', nodes: [{ node: 'node-a', matched: 0, written: 0, connections: [] }] });
    expect(body.nodes).toHaveLength(1);
    const ghost = (await b!.api('GET', '/api/users/ghost/pushes')).body as UserPushes;
    expect(ghost.pushes).toEqual([{ id: pushed.body.id, acceptedAt: body.acceptedAt, to: { users: ['ghost'] }, connections: [] }]);
  });
});

describe('push inspector', () => {
  it('answers 404 for a push no node knows, and 400 for bad parameters', async () => {
    const [a] = await cluster('memory', ['node-a', 'node-b']);
    const unknown = await a!.api('GET', '/api/pushes/never-pushed');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'no record of push "never-pushed"' });
    expect((await a!.api('GET', `/api/pushes/${'x'.repeat(2000)}`)).status).toBe(400);
    for (const limit of ['0', '101', 'ten', '-1', '1.5']) {
      const bad = await a!.api('GET', `/api/users/alice/pushes?limit=${limit}`);
      expect(bad.status, limit).toBe(400);
      expect(bad.body.error).toMatch(/limit/);
    }
  });

  it('lists a user its newest pushes first, up to the limit, only with its own connections', async () => {
    const [a, b] = await cluster('memory', ['node-a', 'node-b']);
    const alice = await a!.connect('alice', ['news']);
    await b!.connect('bob', ['news']);
    const ids: string[] = [];
    for (let n = 0; n < 5; n += 1) ids.push((await b!.push({ to: { tags: ['news'] }, data: n })).body.id);
    await alice.waitForPushes(5);
    const listed = (await b!.api('GET', '/api/users/alice/pushes?limit=3')).body as UserPushes;
    expect(listed.pushes.map((push) => push.id)).toEqual(ids.slice(2).reverse());
    for (const push of listed.pushes) expect(push.connections).toEqual([expect.objectContaining({ user: 'alice', node: 'node-a', connection: alice.welcome.connection })]);
  });

  it('past the recorded bound gives the counts, percentiles and the slowest connections', async () => {
    const [a, b] = await cluster('memory', ['node-a', 'node-b'], { pushRecords: { maxAgeMs: 60_000, capacity: 1000, connections: 3 } });
    const clients = await Promise.all(Array.from({ length: 15 }, (_, i) => a!.connect(`fan-${i}`, ['fan'])));
    const pushed = await b!.push({ to: { tags: ['fan'] }, data: 'many' });
    const id = pushed.body.id as string;
    await Promise.all(clients.map((client) => client.waitForPushes(1)));
    for (const client of clients.slice(0, 12)) client.send({ type: 'ack', id });
    await expect.poll(async () => nodeOf((await inspect(b!, id)).body, 'node-a')?.acked, { timeout: 5000 }).toBe(12);
    const record = nodeOf((await inspect(b!, id)).body, 'node-a')!;
    expect(record).toMatchObject({ matched: 15, written: 15, acked: 12, truncated: true });
    expect(record.writeLatency).toMatchObject({ count: 15 });
    expect(record.ackLatency).toMatchObject({ count: 12 });
    const { p50, p95, p99, max } = record.ackLatency!;
    expect(p50).toBeLessThanOrEqual(p95);
    expect(p95).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(max);
    expect(record.connections.length).toBeGreaterThan(0);
    expect(record.connections.length).toBeLessThanOrEqual(10);
    const known = new Set(clients.map((client) => client.welcome.connection));
    for (const connection of record.connections) expect(known.has(connection.connection)).toBe(true);
    // A user among the slowest finds the push among their own, with their connection; one past
    // the bound but not among them does not (nothing of theirs was kept).
    const slowest = record.connections[0]!;
    const theirs = (await a!.api('GET', `/api/users/${slowest.user}/pushes`)).body as UserPushes;
    expect(theirs.pushes.find((push) => push.id === id)?.connections).toEqual([expect.objectContaining({ connection: slowest.connection, node: 'node-a' })]);
    const listed = new Set(record.connections.map((connection) => connection.user));
    const unlisted = clients.map((_, i) => `fan-${i}`).find((user) => !listed.has(user))!;
    expect(((await a!.api('GET', `/api/users/${unlisted}/pushes`)).body as UserPushes).pushes).toEqual([]);
    // Listed one by one below the bound.
    const few = await b!.push({ to: { users: ['fan-0'] }, data: 'one' });
    await clients[0]!.waitForPushes(2);
    const single = nodeOf((await inspect(b!, few.body.id)).body, 'node-a')!;
    expect(single.truncated).toBeUndefined();
    expect(single.connections).toEqual([expect.objectContaining({ connection: clients[0]!.welcome.connection, writtenAt: expect.any(Number) })]);
  });

  it('shows a slow consumer\'s drop: the push that crossed the limit, and the backlog it took with it', async () => {
    const gateway = await startTestGateway({ slowConsumerBytes: 256 * 1024 });
    const slow = await gateway.connect('slow', ['slow']);
    socketOf(slow).pause();
    const chunk = 'z'.repeat(64 * 1024);
    const batch = { pushes: Array.from({ length: 10 }, (_, i) => ({ to: { tags: ['slow'] }, data: { i, chunk } })) };
    let cutBy: string | undefined;
    const queued: string[] = [];
    // Bounded: at most 100 × 640 KiB until the kernel's buffers and then the gateway's limit are full.
    for (let round = 0; round < 100 && !cutBy; round += 1) {
      const { results } = (await gateway.api('POST', '/api/push/batch', batch)).body as { results: Array<{ id: string; recipients: number }> };
      const cut = results.findIndex((result) => result.recipients === 0);
      queued.push(...results.slice(0, cut < 0 ? results.length : cut).map((result) => result.id));
      if (cut >= 0) cutBy = results[cut]!.id;
    }
    expect(cutBy).toBeDefined();
    const record = (await inspect(gateway, cutBy!)).body.nodes[0]!;
    expect(record).toMatchObject({ matched: 1, written: 0, dropped: { slow_consumer: 1, closed: 0 } });
    expect(record.connections).toEqual([{ connection: slow.welcome.connection, user: 'slow', node: gateway.config.nodeId, dropped: 'slow_consumer' }]);
    // The newest push it had been given still waited in its queue: dropped with it, never written.
    const last = (await inspect(gateway, queued[queued.length - 1]!)).body.nodes[0]!;
    expect(last.dropped.slow_consumer).toBe(1);
    expect(last.connections[0]).toMatchObject({ dropped: 'slow_consumer' });
    expect(last.connections[0]!.writtenAt).toBeUndefined();
    socketOf(slow).resume();
  });

  it('ignores peers\' malformed answers: the inspection holds what the honest nodes said, marked incomplete', async () => {
    const broker = createMemoryBroker();
    const [a, b] = await cluster('memory', ['node-a', 'node-b'], { clusterWaitMs: 300 }, broker);
    // A member that announces itself like any node, then answers every question with garbage.
    const liar = createMemoryBus(broker, { nodeId: 'liar' });
    const report = { node: 'liar', version: '1', connections: 1, users: 1, pushesPerSec: 0, deliveriesPerSec: 0, acksPerSec: 0, dropsPerSec: { slow_consumer: 0, closed: 0 }, uptime: 1, eventLoopLagMs: { p50: 0, p99: 0, max: 0 }, memory: { rss: 1, heapUsed: 1 }, latencyCounts: Array(13).fill(0), mostBuffered: [], recentPushes: [], slowDeliveries: [], at: Date.now() };
    const announce = () => void liar.signal({ origin: 'liar', topic: 'announce', body: { ...report, at: Date.now() } });
    announce();
    const announcing = setInterval(announce, 300);
    const garbage = [
      { acceptedAt: 'yesterday', publishedAt: 1, to: { users: ['alice'] } },
      { acceptedAt: 1, publishedAt: 1, to: { users: ['alice'] }, node: { node: 'liar', fanoutAt: 1, fanoutMs: 0, matched: 1, written: 1, acked: 1, dropped: { slow_consumer: 0, closed: 0 }, connections: Array(5000).fill({ connection: 'c', user: 'alice', node: 'liar' }) } },
      { acceptedAt: 1, publishedAt: 1, to: { users: ['alice'] }, node: { node: 'liar', fanoutAt: 1, fanoutMs: 0, matched: 1, written: 1, acked: 1, dropped: { slow_consumer: 0, closed: 0 }, connections: [{ connection: 'c', user: 'alice', node: 'liar', dropped: 'bored' }] } },
    ];
    let lies = 0;
    for (const topic of ['inspector.push', 'inspector.user']) {
      liar.onSignal<{ query: string }>({
        topic: `${topic}.ask`,
        parse: (body) => ({ ok: true, value: body as { query: string } }),
        handle: (origin, { query }) => {
          const body = topic === 'inspector.push' ? garbage[lies++ % garbage.length] : [{ id: 5 }];
          void liar.signal({ origin: 'liar', topic: `${topic}.answer`, body: { query, to: origin, body } }, origin);
        },
      });
    }
    try {
      await expect.poll(async () => (await a!.api('GET', '/api/cluster')).body.nodes.length, { timeout: 5000 }).toBe(3);
      await b!.connect('alice');
      const { id } = (await a!.push({ to: { users: ['alice'] }, data: 'hi' })).body;
      for (let attempt = 0; attempt < garbage.length; attempt += 1) {
        const { status, body } = await inspect(a!, id);
        expect(status).toBe(200);
        expect(body.complete).toBe(false);
        expect(body.nodes.map((node) => [node.node, node.matched])).toEqual([['node-a', 0], ['node-b', 1]]);
      }
      const listed = (await a!.api('GET', '/api/users/alice/pushes')).body as UserPushes;
      expect(listed).toMatchObject({ user: 'alice', complete: false, pushes: [{ id }] });
      expect(lies).toBe(garbage.length);
    } finally {
      clearInterval(announcing);
      await liar.close();
    }
  });

  it('forgets a push after WSGW_PUSH_RECORD_MS', async () => {
    const gateway = await startTestGateway({ pushRecords: { maxAgeMs: 300, capacity: 1000, connections: 100 } });
    await gateway.connect('alice');
    const { id } = (await gateway.push({ to: { users: ['alice'] }, data: 'soon gone' })).body;
    expect((await inspect(gateway, id)).status).toBe(200);
    expect((await gateway.api('GET', '/api/users/alice/pushes')).body.pushes).toHaveLength(1);
    await expect.poll(async () => (await inspect(gateway, id)).status, { timeout: 3000, interval: 100 }).toBe(404);
    expect((await gateway.api('GET', '/api/users/alice/pushes')).body.pushes).toEqual([]);
  });

  it('keeps at most WSGW_PUSH_RECORD_MAX records, the oldest going first', async () => {
    const gateway = await startTestGateway({ pushRecords: { maxAgeMs: 60_000, capacity: 3, connections: 100 } });
    const ids: string[] = [];
    for (let n = 0; n < 5; n += 1) ids.push((await gateway.push({ to: { users: ['nobody'] }, data: n })).body.id);
    const statuses = await Promise.all(ids.map(async (id) => (await inspect(gateway, id)).status));
    expect(statuses).toEqual([404, 404, 200, 200, 200]);
  });

  it('is off with WSGW_PUSH_RECORD_MS=0: the routes say so', async () => {
    const gateway = await startTestGateway({ pushRecords: { maxAgeMs: 0, capacity: 1000, connections: 100 } });
    await gateway.connect('alice');
    const { id } = (await gateway.push({ to: { users: ['alice'] }, data: 'unrecorded' })).body;
    const answer = await inspect(gateway, id);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: 'the push inspector is turned off (WSGW_PUSH_RECORD_MS=0)' });
  });
});
