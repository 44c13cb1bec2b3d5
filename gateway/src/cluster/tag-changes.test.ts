import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ServerFrame, TagsFrame } from '../protocol.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

const SERVERS = {
  nats: process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
  redis: process.env.WSGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** Three nodes on one bus under a prefix of their own, each knowing the others. */
async function cluster(bus: string): Promise<TestGateway[]> {
  const busPrefix = `wsgw-test-${randomUUID()}`;
  const nodes: TestGateway[] = [];
  for (const nodeId of ['node-a', 'node-b', 'node-c']) {
    const shared = nodes[0] ? { apiKey: nodes[0].config.apiKey, jwtSecret: nodes[0].config.jwtSecret } : {};
    nodes.push(await startTestGateway({ nodeId, nodeTimeoutMs: 1500, clusterWaitMs: 1000, bus, busPrefix, ...shared }));
  }
  for (const node of nodes) await expect.poll(async () => (await node.api('GET', '/api/cluster')).body.nodes.length, { timeout: 5000 }).toBe(3);
  for (const node of nodes) await expect.poll(async () => (await node.api('GET', '/api/users/nobody')).body.complete, { timeout: 5000 }).toBeUndefined();
  return nodes;
}

const isTags = (frame: ServerFrame): frame is TagsFrame => frame.type === 'tags';

/** A counter of the node's /metrics, by its full series name (labels included). */
async function metric(node: TestGateway, series: string): Promise<number> {
  const text = await (await fetch(`${node.http}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return Number(line?.slice(series.length + 1));
}
const pushOf = (data: unknown) => (frame: ServerFrame) => frame.type === 'push' && frame.data === data;

describe.each(Object.entries(SERVERS))('tag changes (%s)', (_kind, bus) => {
  it("adds a tag to a user's connections on other nodes; a tag push through a third node reaches them, and after its removal no longer does", async () => {
    const [a, b, c] = await cluster(bus);
    const alice = [await b!.connect('alice'), await b!.connect('alice', ['old'])];
    const bob = await c!.connect('bob');

    expect(await a!.api('POST', '/api/users/alice/tags', { add: ['x'] })).toMatchObject({ status: 200, body: { changed: 2 } });
    for (const client of alice) {
      const frame = (await client.waitFor(isTags)) as TagsFrame;
      expect(frame).toMatchObject({ added: ['t:x'], removed: [], streams: { 't:x': { epoch: expect.any(String), seq: 0 } } });
    }
    expect(alice[1]!.frames.find(isTags)?.tags).toEqual(['old', 'x']);
    // The 200 came after node-b routed t:x and node-c heard: a push accepted now reaches both.
    expect((await c!.push({ to: { tags: ['x'] }, data: 'x-1' })).body.recipients).toBe(2);
    for (const client of alice) expect(await client.waitFor(pushOf('x-1'))).toMatchObject({ pos: { 't:x': 1 } });
    expect((await c!.api('GET', '/api/users/alice')).body.connections.map((connection: { tags: string[] }) => connection.tags).sort()).toEqual([['old', 'x'], ['x']]);

    expect(await metric(b!, 'wsgw_tag_changes_total{change="added"}')).toBe(2);

    expect(await a!.api('POST', '/api/users/alice/tags', { remove: ['x'] })).toMatchObject({ status: 200, body: { changed: 2 } });
    for (const client of alice) await client.waitFor((frame) => isTags(frame) && frame.removed.includes('t:x'));
    expect(await metric(b!, 'wsgw_tag_changes_total{change="removed"}')).toBe(2);
    const heard = await metric(b!, 'wsgw_bus_pushes_received_total');
    expect((await c!.push({ to: { tags: ['x'] }, data: 'x-2' })).body.recipients).toBe(0);
    // The marker is pushed after the tag push: once it is in, the tag push would have been too.
    await c!.push({ to: { users: ['alice'] }, data: 'marker' });
    for (const client of alice) {
      await client.waitFor(pushOf('marker'));
      expect(client.frames.some(pushOf('x-2'))).toBe(false);
    }
    // node-b stopped watching t:x: the bus handed it the marker alone.
    expect(await metric(b!, 'wsgw_bus_pushes_received_total')).toBe(heard + 1);
    // Removing a tag nobody holds changes nothing; bob was never asked.
    expect((await a!.api('POST', '/api/users/alice/tags', { remove: ['x'] })).body).toEqual({ changed: 0 });
    expect(bob.frames.some(isTags)).toBe(false);
  });

  it('changes one connection by id wherever it is, and answers 404 for an unknown id', async () => {
    const [a, b, c] = await cluster(bus);
    const carol = [await b!.connect('carol'), await c!.connect('carol')];
    const id = carol[1]!.welcome.connection;
    expect(await a!.api('POST', `/api/connections/${id}/tags`, { add: ['vip'] })).toMatchObject({ status: 200, body: { changed: 1 } });
    expect((await b!.push({ to: { tags: ['vip'] }, data: 'vip' })).body.recipients).toBe(1);
    await carol[1]!.waitFor(pushOf('vip'));
    await b!.push({ to: { users: ['carol'] }, data: 'marker' });
    await carol[0]!.waitFor(pushOf('marker'));
    expect(carol[0]!.frames.some(pushOf('vip'))).toBe(false);

    expect(await a!.api('POST', `/api/connections/${id}/tags`, { add: ['vip'] })).toMatchObject({ status: 200, body: { changed: 0 } });
    expect(await a!.api('POST', '/api/connections/nobody/tags', { add: ['vip'] })).toMatchObject({ status: 404, body: { error: 'no such connection' } });
    expect(await a!.api('POST', `/api/connections/${'c'.repeat(300)}/tags`, { add: ['vip'] })).toMatchObject({ status: 404 });
    expect(await a!.api('POST', `/api/users/${'u'.repeat(300)}/tags`, { add: ['vip'] })).toMatchObject({ status: 200, body: { changed: 0 } });
    // A tag with a slash, encoded in the path, is one tag.
    expect((await a!.api('POST', '/api/users/carol/tags', { add: ['a/b'] })).body).toEqual({ changed: 2 });
    expect((await b!.api('GET', '/api/tags/a%2Fb')).body).toMatchObject({ tag: 'a/b', total: 2 });
  });

  it('answers only once the new tag reaches the connection: a push accepted on another node right after the 200 is delivered', async () => {
    const [a, b, c] = await cluster(bus);
    const dave = await b!.connect('dave');
    for (let i = 0; i < 10; i += 1) {
      expect((await a!.api('POST', '/api/users/dave/tags', { add: [`fresh-${i}`] })).body).toEqual({ changed: 1 });
      expect((await c!.push({ to: { tags: [`fresh-${i}`] }, data: `fresh-${i}` })).body.recipients).toBe(1);
      await dave.waitFor(pushOf(`fresh-${i}`));
    }
  });

  it('walks a tag\'s connections across the nodes one page at a time, in a stable order, with the total', async () => {
    const [a, b, c] = await cluster(bus);
    const clients = await Promise.all([a, b, c, a, c].map((node, i) => node!.connect(`page-${i}`, ['paged'])));
    await b!.connect('other', ['unrelated']);
    const ids = clients.map((client) => client.welcome.connection).sort();
    const seen: Array<{ id: string; node: string }> = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const { status, body } = await b!.api('GET', `/api/tags/paged?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ tag: 'paged', total: 5 });
      expect(body.complete).toBeUndefined();
      seen.push(...body.connections);
      cursor = body.next;
      if (!cursor) break;
    }
    expect(seen.map((connection) => connection.id)).toEqual(ids);
    const nodeOf = new Map(clients.map((client, i) => [client.welcome.connection, ['node-a', 'node-b', 'node-c', 'node-a', 'node-c'][i]]));
    for (const connection of seen) expect(connection.node).toBe(nodeOf.get(connection.id));
    expect(seen[0]).toEqual({ id: ids[0], user: expect.stringMatching(/^page-/), node: expect.any(String), connectedAt: expect.any(Number) });

    const whole = (await c!.api('GET', '/api/tags/paged')).body;
    expect(whole.connections.map((connection: { id: string }) => connection.id)).toEqual(ids);
    expect(whole.next).toBeUndefined();
    // A tag added at runtime is listed like a token's.
    await a!.api('POST', '/api/users/other/tags', { add: ['paged'] });
    expect((await c!.api('GET', '/api/tags/paged?limit=1000')).body.total).toBe(6);
  });
});

describe('tag changes refused', () => {
  it('answers 400 with JSON for a bad body, a bad page request, and a change past the tag limit', async () => {
    const gateway = await startTestGateway();
    const full = await gateway.connect('full', Array.from({ length: 62 }, (_, i) => `t${i}`));
    const bad: unknown[] = [
      {},
      { add: [] },
      { add: 'x' },
      { add: [''] },
      { add: ['a'.repeat(257)] },
      { add: ['bad\u0001tag'] },
      { add: [1] },
      { add: ['x'], remove: ['x'] },
      { add: Array.from({ length: 65 }, (_, i) => `n${i}`) },
      [],
      null,
    ];
    for (const body of bad) {
      const answer = await gateway.api('POST', '/api/users/full/tags', body);
      expect(answer, JSON.stringify(body)).toMatchObject({ status: 400, body: { error: expect.any(String) } });
    }
    const notJson = await fetch(`${gateway.http}/api/users/full/tags`, { method: 'POST', headers: { authorization: `Bearer ${gateway.config.apiKey}` }, body: '{' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: 'request body is not valid JSON' });

    expect(await gateway.api('POST', '/api/users/full/tags', { add: ['x', 'y', 'z'] })).toMatchObject({ status: 400, body: { refused: 1, error: expect.stringContaining('64 tags') } });
    // Removing as many as are added keeps it within the limit.
    expect(await gateway.api('POST', '/api/users/full/tags', { add: ['x', 'y', 'z'], remove: ['t0'] })).toMatchObject({ status: 200, body: { changed: 1 } });
    expect((await full.waitFor(isTags)) as TagsFrame).toMatchObject({ added: ['t:x', 't:y', 't:z'], removed: ['t:t0'] });
    expect((await gateway.api('GET', '/api/users/full')).body.connections[0].tags).toHaveLength(64);

    for (const query of ['limit=0', 'limit=1001', 'limit=abc', 'limit=1.5', 'cursor=%%%', 'cursor=', 'cursor=bm9ib2R5P']) {
      expect(await gateway.api('GET', `/api/tags/t1?${query}`), query).toMatchObject({ status: 400, body: { error: expect.any(String) } });
    }
    expect(await gateway.api('GET', `/api/tags/${'a'.repeat(257)}`)).toMatchObject({ status: 400 });
    expect(await gateway.api('GET', '/api/tags/t1?limit=1000')).toMatchObject({ status: 200, body: { total: 1 } });
    // The console's routes are the same implementation, behind the operator token.
    expect(await gateway.operator('GET', '/tags/t1')).toMatchObject({ status: 200, body: { tag: 't1', total: 1, connections: [{ id: full.welcome.connection, user: 'full' }] } });
    expect(await gateway.operator('POST', '/users/full/tags', { add: ['one-more'] })).toMatchObject({ status: 400, body: { refused: 1 } });
    expect(await gateway.operator('POST', '/connections/nobody/tags', { add: ['x'] })).toMatchObject({ status: 404 });
  });
});
