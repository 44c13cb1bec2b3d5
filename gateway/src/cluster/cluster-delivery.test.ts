import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '@wsgw/otel/tracing';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestClient } from '../testing/test-client.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const exporter = new InMemorySpanExporter();
const tracing = startTracing({ spanProcessors: [new SimpleSpanProcessor(exporter)], env: {} });
afterAll(() => tracing.shutdown());
const startTestGateway = useTestGateways();

// The servers this machine runs; every test uses its own prefix, so runs never see each other.
const SERVERS = {
  nats: process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
  redis: process.env.WSGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

async function cluster(bus: string, size: number): Promise<TestGateway[]> {
  const busPrefix = `wsgw-test-${randomUUID()}`;
  const nodes: TestGateway[] = [];
  for (let i = 0; i < size; i += 1) {
    // Each node shares the secrets of the first, as nodes behind one load balancer do.
    const shared = nodes[0] ? { apiKey: nodes[0].config.apiKey, jwtSecret: nodes[0].config.jwtSecret } : {};
    nodes.push(await startTestGateway({ nodeId: `node-${String.fromCharCode(97 + i)}`, bus, busPrefix, nodeTimeoutMs: 1500, clusterWaitMs: 1000, ...shared }));
  }
  for (const node of nodes) {
    const deadline = Date.now() + 5000;
    while ((await fetch(`${node.http}/ready`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`${node.config.nodeId} never became ready`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  // Every node has heard every other's announcement (they announce every second), and has been on
  // the bus long enough to trust that it heard everyone: its answers no longer say complete: false.
  for (const node of nodes) await clusterSize(node, size);
  for (const node of nodes) await expect.poll(async () => (await node.api('GET', '/api/users/nobody')).body.complete, { timeout: 5000 }).toBeUndefined();
  return nodes;
}

async function clusterSize(node: TestGateway, size: number, timeoutMs = 5000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await node.api('GET', '/api/cluster');
    if (body.nodes.length === size) return body.nodes.map((n: { node: string }) => n.node);
    if (Date.now() > deadline) throw new Error(`${node.config.nodeId} sees ${body.nodes.length} nodes, not ${size}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const data = (client: TestClient) => client.pushes().map((frame) => frame.data);

describe.each(Object.entries(SERVERS))('a three-node cluster on %s', (_name, bus) => {
  it('delivers user, tag and broadcast pushes sent to any node exactly once per connection', async () => {
    const [a, b, c] = await cluster(bus, 3);
    const alice = [await b!.connect('alice'), await b!.connect('alice'), await c!.connect('alice')];
    const bob = await c!.connect('bob', ['news']);
    const carol = await a!.connect('carol', ['news']);
    const everyone = [...alice, bob, carol];

    // recipients counts connections on every node: a, which holds none of alice's, reports all three.
    expect(await a!.push({ to: { users: ['alice'] }, data: 'to-alice' })).toEqual({ status: 202, body: { id: expect.any(String), recipients: 3 } });
    expect((await b!.push({ to: { tags: ['news'] }, data: 'news' })).body.recipients).toBe(2);
    expect((await c!.push({ to: { all: true, users: ['alice'], tags: ['news'] }, data: 'all' })).body.recipients).toBe(5);
    expect((await a!.push({ to: { all: true }, data: 'marker' })).body).toEqual({ id: expect.any(String), recipients: 5 });
    const batch = await b!.api('POST', '/api/push/batch', { pushes: [{ to: { users: ['carol'] }, data: 'b1' }, { to: { users: ['bob'] }, data: 'b2' }] });
    expect(batch.body.results.map((r: { recipients: number }) => r.recipients)).toEqual([1, 1]);

    // Order is kept per publishing node, not across nodes: compare what arrived, once each.
    for (const client of alice) await client.waitForPushes(3);
    await bob.waitForPushes(4);
    await carol.waitForPushes(4);
    await new Promise((resolve) => setTimeout(resolve, 200)); // room for a duplicate to show up
    for (const client of alice) expect(data(client).sort()).toEqual(['all', 'marker', 'to-alice']);
    expect(data(bob).sort()).toEqual(['all', 'b2', 'marker', 'news']);
    expect(data(carol).sort()).toEqual(['all', 'b1', 'marker', 'news']);
  });

  it('lists its nodes on any node, and drops one that stops announcing', async () => {
    const [a, b, c] = await cluster(bus, 3);
    for (const node of [a!, b!, c!]) expect(await clusterSize(node, 3)).toEqual(['node-a', 'node-b', 'node-c']);
    const { body } = await b!.api('GET', '/api/cluster');
    expect(body.node).toBe('node-b');
    expect(body.nodes[0]).toMatchObject({ node: 'node-a', version: expect.any(String), connections: 0, users: 0, lastSeen: expect.any(Number) });
    await c!.server.shutdown();
    expect(await clusterSize(a!, 2)).toEqual(['node-a', 'node-b']);
  });

  it('answers GET /api/users/:user for the whole cluster from any node', async () => {
    const [a, b, c] = await cluster(bus, 3);
    await b!.connect('frank', ['x']);
    await c!.connect('frank');
    await c!.connect('frank');
    const { body } = await a!.api('GET', '/api/users/frank');
    expect(body.complete).toBeUndefined();
    expect(body.connections.map((connection: { node: string }) => connection.node).sort()).toEqual(['node-b', 'node-c', 'node-c']);
    expect(body.connections.find((connection: { node: string }) => connection.node === 'node-b').tags).toEqual(['x']);
  });

  it('links the receiving node and the delivering node in one trace', async () => {
    const [a, b] = await cluster(bus, 2);
    const dave = await b!.connect('dave');
    const traceId = randomUUID().replace(/-/g, '');
    await a!.api('POST', '/api/push', { to: { users: ['dave'] }, data: 'traced' }, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    await dave.waitForPushes(1);
    const deadline = Date.now() + 5000;
    const ours = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    while (!ours().some((span) => span.name === 'wsgw.deliver') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const spans = ours();
    const publish = spans.find((span) => span.name === 'wsgw.publish');
    const fanoutOnB = spans.find((span) => span.name === 'wsgw.fanout' && span.attributes['wsgw.node'] === 'node-b');
    expect(spans.find((span) => span.name === 'POST /api/push')).toBeDefined();
    expect(publish?.attributes['wsgw.node']).toBe('node-a');
    expect(fanoutOnB?.parentSpanContext?.spanId).toBe(publish!.spanContext().spanId);
    expect(spans.find((span) => span.name === 'wsgw.deliver')?.attributes['wsgw.node']).toBe('node-b');
  });
});
