import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CloseCode, CONSOLE_FEED_PROTOCOL, type ConsoleSnapshot, type PushFrame } from '../protocol.ts';
import { feedProtocols, openFeed } from '../testing/feed-client.ts';
import { expectRefusal, type TestClient } from '../testing/test-client.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();
const NATS = process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
/** Connections of the large side of the size comparison (`WSGW_TEST_FEED_CONNECTIONS` to measure more). */
const MANY = Number(process.env.WSGW_TEST_FEED_CONNECTIONS ?? 2000);

const feedUrl = (gateway: TestGateway) => `${gateway.wsUrl.replace(/\/ws$/, '')}/api/console/feed`;

async function connectMany(gateway: TestGateway, count: number): Promise<TestClient[]> {
  const clients: TestClient[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, (_, j) => gateway.connect(`user-${i + j}`));
    clients.push(...(await Promise.all(batch)));
  }
  return clients;
}

/** Bytes per second of the feed over `seconds` whole snapshots, once `ready` holds. */
async function feedRate(gateway: TestGateway, ready: (s: ConsoleSnapshot) => boolean, seconds = 3): Promise<{ bytesPerSec: number; frameBytes: number }> {
  const feed = await openFeed(gateway.http, gateway.config.adminToken!);
  // A steady broadcast while measuring, so the push tail and the rates are part of every snapshot.
  const pushing = setInterval(() => void gateway.push({ to: { all: true }, data: { n: Date.now() } }), 100);
  try {
    const first = await feed.next(ready);
    const from = feed.frames.length;
    await feed.next((s) => s.at - first.at >= seconds * 1000 - 100, (seconds + 3) * 1000);
    const frames = feed.frames.slice(from - 1);
    const bytes = frames.slice(1).reduce((sum, f) => sum + f.bytes, 0);
    const elapsed = (frames[frames.length - 1]!.snapshot.at - frames[0]!.snapshot.at) / 1000;
    return { bytesPerSec: bytes / elapsed, frameBytes: bytes / (frames.length - 1) };
  } finally {
    clearInterval(pushing);
    feed.close();
  }
}

describe('console feed', () => {
  it('refuses a missing subprotocol or a wrong token with a JSON error, before the upgrade', async () => {
    const gateway = await startTestGateway();
    const noProtocol = await expectRefusal(feedUrl(gateway));
    expect(noProtocol.status).toBe(400);
    expect(noProtocol.body).toEqual({ error: `expected the ${CONSOLE_FEED_PROTOCOL} subprotocol` });
    const wrongToken = await expectRefusal(feedUrl(gateway), { 'sec-websocket-protocol': feedProtocols('not-the-token').join(', ') });
    expect(wrongToken.status).toBe(401);
    expect(wrongToken.body).toEqual({ error: 'missing or invalid operator token' });
    const apiKey = await expectRefusal(feedUrl(gateway), { 'sec-websocket-protocol': feedProtocols(gateway.config.apiKey).join(', ') });
    expect(apiKey.status).toBe(401);

    const feed = await openFeed(gateway.http, gateway.config.adminToken!);
    expect(feed.socket.protocol).toBe(CONSOLE_FEED_PROTOCOL);
    feed.close();
  });

  it('sends a snapshot each second with connections, rates, latency, the push tail and slow deliveries', async () => {
    const gateway = await startTestGateway({ slowDeliveryMs: 100 });
    const feed = await openFeed(gateway.http, gateway.config.adminToken!);
    const [alice1, alice2] = [await gateway.connect('alice'), await gateway.connect('alice'), await gateway.connect('bob')];
    const busy = await feed.next((s) => s.totals.connections === 3);
    expect(busy.totals).toMatchObject({ nodes: 1, connections: 3, users: 2 });
    expect(busy.nodes.map((n) => n.node)).toEqual([gateway.config.nodeId]);

    // One quick ack and one that waits: the late one is a slow delivery with every stage timed.
    const { body } = await gateway.push({ to: { users: ['alice'] }, data: 'watched' });
    const [frame] = (await alice1!.waitForPushes(1)) as PushFrame[];
    alice1!.send({ type: 'ack', id: frame!.id });
    await alice2!.waitForPushes(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    alice2!.send({ type: 'ack', id: frame!.id });

    const withSlow = await feed.next((s) => s.slowDeliveries.some((d) => d.push === body.id), 5000);
    const slow = withSlow.slowDeliveries.find((d) => d.push === body.id)!;
    expect(slow.connection).toBe(alice2!.welcome.connection);
    expect(slow.latencyMs).toBeGreaterThanOrEqual(150);
    expect(slow.accepted).toBeLessThanOrEqual(slow.published);
    expect(slow.fanoutStarted).toBeLessThanOrEqual(slow.written);
    expect(slow.written).toBeLessThan(slow.acked);

    const seen = feed.frames.map((f) => f.snapshot);
    expect(seen.flatMap((s) => s.recentPushes).find((p) => p.id === body.id)).toMatchObject({ target: 'user', recipients: 2 });
    const acked = seen.reduce((sum, s) => sum + s.latency.counts.reduce((a, b) => a + b, 0), 0);
    expect(acked).toBe(2);
    expect(seen.some((s) => s.totals.deliveriesPerSec > 0)).toBe(true);
    expect(seen.some((s) => (s.latency.lastMinute.p99 ?? 0) >= 250)).toBe(true);
    feed.close();
  });

  it(`stays the same size at 10 and at ${MANY} connections, under a steady broadcast`, async () => {
    const gateway = await startTestGateway({ connectRatePerIp: 100_000, maxConnections: 100_000 });
    await connectMany(gateway, 10);
    const few = await feedRate(gateway, (s) => s.totals.connections === 10);
    await connectMany(gateway, MANY - 10);
    const many = await feedRate(gateway, (s) => s.totals.connections === MANY);
    console.info(
      `console feed: ${few.bytesPerSec.toFixed(0)} B/s (${few.frameBytes.toFixed(0)} B/snapshot) at 10 connections, ` +
        `${many.bytesPerSec.toFixed(0)} B/s (${many.frameBytes.toFixed(0)} B/snapshot) at ${MANY}`,
    );
    // Digits of the counters grow; nothing per connection is sent.
    expect(many.frameBytes).toBeLessThan(few.frameBytes * 1.1);
    expect(many.bytesPerSec).toBeLessThan(few.bytesPerSec * 1.25);
  }, 60_000);

  it('covers every node of a cluster, their tag changes included, and closes viewers with 1001 when the node stops', async () => {
    const busPrefix = `wsgw-test-${randomUUID()}`;
    const common = { bus: NATS, busPrefix, nodeTimeoutMs: 1500 };
    const a = await startTestGateway({ ...common, nodeId: 'node-a' });
    const b = await startTestGateway({ ...common, nodeId: 'node-b', jwtSecret: a.config.jwtSecret });
    await a.connect('frank');
    await b.connect('frank');
    await b.connect('gina');
    const feed = await openFeed(a.http, a.config.adminToken!);
    const both = await feed.next((s) => s.nodes.length === 2 && s.totals.connections === 3);
    expect(both.nodes.map((n) => [n.node, n.connections])).toEqual([
      ['node-a', 1],
      ['node-b', 2],
    ]);
    expect(both.node).toBe('node-a');

    // A tag change on node-b, asked through node-a, is in node-a's tail.
    await expect.poll(async () => (await a.api('GET', '/api/users/gina')).body.complete, { timeout: 5000 }).toBeUndefined();
    expect((await a.api('POST', '/api/users/gina/tags', { add: ['vip'] })).body).toEqual({ changed: 1 });
    const tagged = await feed.next((s) => s.recentTagChanges.length > 0, 5000);
    expect(tagged.recentTagChanges).toEqual([{ connection: expect.any(String), user: 'gina', added: ['vip'], removed: [], node: 'node-b', at: expect.any(Number) }]);
    await a.close();
    expect((await feed.closed).code).toBe(CloseCode.GoingAway);
  });
});
