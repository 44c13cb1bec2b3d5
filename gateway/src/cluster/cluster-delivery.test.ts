import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '@wsgw/otel/tracing';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestClient } from '../testing/test-client.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const exporter = new InMemorySpanExporter();
const tracing = await startTracing({ spanProcessors: [new SimpleSpanProcessor(exporter)], env: {} });
afterAll(() => tracing.shutdown());
const startTestGateway = useTestGateways();

// The servers this machine runs; every test uses its own prefix, so runs never see each other.
const SERVERS = {
  nats: process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
  redis: process.env.WSGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** How long a case waits for the cluster to get somewhere, ms. */
const patience = { timeout: 5000 };

async function cluster(bus: string, size: number): Promise<TestGateway[]> {
  const busPrefix = `wsgw-test-${randomUUID()}`;
  const nodes: TestGateway[] = [];
  for (let i = 0; i < size; i += 1) {
    // Each node shares the secrets of the first, as nodes behind one load balancer do.
    const shared = nodes[0] ? { apiKey: nodes[0].config.apiKey, jwtSecret: nodes[0].config.jwtSecret } : {};
    nodes.push(await startTestGateway({ nodeId: `node-${String.fromCharCode(97 + i)}`, bus, busPrefix, nodeTimeoutMs: 1500, clusterWaitMs: 1000, ...shared }));
  }
  for (const node of nodes) {
    await expect.poll(async () => (await fetch(`${node.http}/ready`)).status, { ...patience, message: `${node.config.nodeId} to be ready` }).toBe(200);
  }
  // Every node has heard every other's announcement (they announce every second), and has been on
  // the bus long enough to trust that it heard everyone: its answers no longer say complete: false.
  for (const node of nodes) await expect.poll(() => clusterNodes(node), patience).toHaveLength(size);
  for (const node of nodes) await expect.poll(async () => (await node.api('GET', '/api/users/nobody')).body.complete, patience).toBeUndefined();
  return nodes;
}

/** The nodes `node` lists in GET /api/cluster. */
async function clusterNodes(node: TestGateway): Promise<string[]> {
  const { body } = await node.api('GET', '/api/cluster');
  return body.nodes.map((n: { node: string }) => n.node);
}

const data = (client: TestClient) => client.pushes().map((frame) => frame.data);

/** Waits until `client` holds a push with each of `markers`. */
const holds = (client: TestClient, markers: string[]) =>
  Promise.all(markers.map((marker) => client.waitFor((frame) => frame.type === 'push' && frame.data === marker)));

/**
 * Trailing markers that prove no duplicate is still on its way: every node pushes one to all,
 * in two rounds, and each is waited for at every client. The bus keeps each publisher's order, so
 * once the first round is in everywhere, the broker has taken every earlier push. A second-round
 * marker from another node then reaches each node behind whatever the broker still owed it, its
 * own pushes echoed back included. Returns the markers, which the clients hold too.
 */
async function trailingMarkers(nodes: TestGateway[], clients: TestClient[]): Promise<string[]> {
  const markers: string[] = [];
  for (const round of ['end', 'last']) {
    const sent = nodes.map((node) => `${round}-${node.config.nodeId}`);
    for (const [i, node] of nodes.entries()) await node.push({ to: { all: true }, data: sent[i] });
    await Promise.all(clients.map((client) => holds(client, sent)));
    markers.push(...sent);
  }
  return markers;
}

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
    const markers = await trailingMarkers([a!, b!, c!], everyone);
    const expected = (...pushes: string[]) => [...pushes, ...markers].sort();
    for (const client of alice) expect(data(client).sort()).toEqual(expected('all', 'marker', 'to-alice'));
    expect(data(bob).sort()).toEqual(expected('all', 'b2', 'marker', 'news'));
    expect(data(carol).sort()).toEqual(expected('all', 'b1', 'marker', 'news'));
  });

  it('lists its nodes on any node, and drops one that stops announcing', async () => {
    const [a, b, c] = await cluster(bus, 3);
    for (const node of [a!, b!, c!]) await expect.poll(() => clusterNodes(node), patience).toEqual(['node-a', 'node-b', 'node-c']);
    const { body } = await b!.api('GET', '/api/cluster');
    expect(body.node).toBe('node-b');
    expect(body.nodes[0]).toMatchObject({ node: 'node-a', version: expect.any(String), connections: 0, users: 0, lastSeen: expect.any(Number) });
    await c!.server.shutdown();
    await expect.poll(() => clusterNodes(a!), patience).toEqual(['node-a', 'node-b']);
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
    const ours = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    await expect.poll(() => ours().map((span) => span.name), patience).toContain('wsgw.deliver');
    const spans = ours();
    const publish = spans.find((span) => span.name === 'wsgw.publish');
    const fanoutOnB = spans.find((span) => span.name === 'wsgw.fanout' && span.attributes['wsgw.node'] === 'node-b');
    expect(spans.find((span) => span.name === 'POST /api/push')).toBeDefined();
    expect(publish?.attributes['wsgw.node']).toBe('node-a');
    expect(fanoutOnB?.parentSpanContext?.spanId).toBe(publish!.spanContext().spanId);
    expect(spans.find((span) => span.name === 'wsgw.deliver')?.attributes['wsgw.node']).toBe('node-b');
  });
});
