import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SLOWEST_RECORDED_CONNECTIONS, type PushInspection } from '@wsgw/gateway/protocol';
import { spawnGateway, startTestGateway, useTestGateways, type TestClient, type TestGateway } from '@wsgw/gateway/testing';
import { startTracing } from '@wsgw/otel/tracing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium } from './browser.ts';

const DIST = new URL('../../dist/index.html', import.meta.url);
const TRACE_UI = 'http://traces.example/trace/{traceId}';
const NATS = process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

// Pushes must carry trace ids for the inspector's trace link: record spans in process.
const tracing = await startTracing({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())], env: {} });

let browser: Browser;
let gateway: TestGateway;
// Cluster nodes of a single test, closed (and their NATS streams removed) after it.
const startNode = useTestGateways();

const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('the console is not built: run npm run build -w console (npm install does it)');
  browser = await launchChromium();
  gateway = await startTestGateway({ slowDeliveryMs: 200, traceUrlTemplate: TRACE_UI });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await tracing.shutdown();
});

async function logIn(on: TestGateway = gateway): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${on.http}/console/#token=${encodeURIComponent(on.config.adminToken!)}`);
  await expect.poll(() => page.getByTestId('status').innerText(), { timeout: 10_000 }).toMatch(/live/i);
  return page;
}

/** Pushes to `user`, which acks after `ackAfterMs`; resolves once the gateway's record holds the ack. */
async function pushAndAck(client: TestClient, user: string, ackAfterMs = 0): Promise<PushInspection> {
  const before = client.pushes().length;
  const { status, body } = await gateway.push({ to: { users: [user] }, data: { for: user } });
  expect(status).toBe(202);
  const frame = (await client.waitForPushes(before + 1)).at(-1)!;
  expect(frame.id).toBe(body.id);
  if (ackAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, ackAfterMs));
  client.send({ type: 'ack', id: frame.id });
  // The console asks once per click: wait for the record to hold the ack, so what it draws is settled.
  let inspection: PushInspection | undefined;
  await expect
    .poll(async () => {
      const answer = await gateway.operator('GET', `/pushes/${encodeURIComponent(body.id)}`);
      inspection = answer.status === 200 ? (answer.body as PushInspection) : undefined;
      return inspection?.nodes.flatMap((n) => n.connections).some((c) => c.ackedAt !== undefined) ?? false;
    }, { timeout: 5000 })
    .toBe(true);
  return inspection!;
}

/** Checks the inspector page shows `inspection` with the connection's write and ack bars. */
async function expectWaterfall(page: Page, inspection: PushInspection, connection: string): Promise<void> {
  await page.getByTestId('push-waterfall').waitFor({ timeout: 10_000 });
  expect(page.url()).toContain(`#/pushes/${encodeURIComponent(inspection.id)}`);
  expect((await page.getByTestId('push-summary-id').innerText()).trim()).toBe(inspection.id);
  expect((await page.getByTestId('push-accepted-by').innerText()).trim()).toBe(gateway.config.nodeId);
  expect(inspection.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(await page.getByTestId('push-summary').locator(`a[href="${TRACE_UI.replace('{traceId}', inspection.traceId!)}"]`).count()).toBe(1);
  await page.getByTestId('push-stage-publish').waitFor();
  const node = page.locator(`[data-testid="push-node-row"][data-node="${gateway.config.nodeId}"]`);
  expect(await node.getByTestId('node-matched').innerText()).toBe('1');
  expect(await node.getByTestId('node-acked').innerText()).toBe('1');
  const row = page.locator(`[data-testid="push-connection-row"][data-connection="${connection}"]`);
  expect(await row.getByTestId('connection-write').count()).toBe(1);
  expect(await row.getByTestId('connection-ack').count()).toBe(1);
  expect(await row.getByTestId('connection-outcome').innerText()).toMatch(/written \+.* · acked \+/);
}

describe('the push inspector in Chromium', () => {
  it('opens a push from the live tail in one click: its waterfall with the connection’s write and ack', async () => {
    const ivy = await gateway.connect('ivy');
    const page = await logIn();
    await page.getByTestId('nav-tail').click();
    const inspection = await pushAndAck(ivy, 'ivy');

    const link = page.getByTestId('tail-row').filter({ hasText: inspection.id }).getByTestId('push-link');
    await link.waitFor({ timeout: 10_000 });
    await link.click();
    await expectWaterfall(page, inspection, ivy.welcome.connection);
    await shot(page, 'push-inspector');
    await page.close();
  });

  it('opens a slow delivery’s push from the slow list in one click, its ack drawn late', async () => {
    const slowpoke = await gateway.connect('slowpoke');
    const page = await logIn();
    await page.getByTestId('nav-slow').click();
    // 300 ms: over the 200 ms threshold, so the delivery is listed as slow.
    const inspection = await pushAndAck(slowpoke, 'slowpoke', 300);

    const link = page.getByTestId('slow-row').filter({ hasText: inspection.id }).getByTestId('push-link');
    await link.waitFor({ timeout: 10_000 });
    await link.click();
    await expectWaterfall(page, inspection, slowpoke.welcome.connection);
    const outcome = await page.locator(`[data-connection="${slowpoke.welcome.connection}"]`).getByTestId('connection-outcome').innerText();
    expect(Number(/acked \+(\d+) ms/.exec(outcome)?.[1])).toBeGreaterThanOrEqual(300);
    await page.close();
  });

  it('lists a user’s recent pushes with each connection’s outcome, each opening its waterfall', async () => {
    const june = await gateway.connect('june');
    const first = await pushAndAck(june, 'june');
    const second = await pushAndAck(june, 'june');
    const page = await logIn();
    await page.getByTestId('nav-pushes').click();
    await page.getByTestId('push-query-user').fill('june');
    await page.getByTestId('push-user-search').click();

    const rows = page.getByTestId('user-push-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    // Newest first.
    expect(await rows.nth(0).innerText()).toContain(second.id);
    expect(await rows.nth(1).innerText()).toContain(first.id);
    expect(await rows.nth(1).getByTestId('user-push-outcome').innerText()).toMatch(new RegExp(`${june.welcome.connection}.*acked \\+`));
    expect(page.url()).toContain('#/pushes?user=june');
    await shot(page, 'user-pushes');

    await rows.nth(1).getByTestId('push-link').click();
    await expectWaterfall(page, first, june.welcome.connection);
    // Back returns to the user's list.
    await page.goBack();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    await page.close();
  });

  it('shows a push to an offline user as matched by nobody, and an unknown id as not on record', async () => {
    const { body } = await gateway.push({ to: { users: ['away'] }, data: 1 });
    const page = await logIn();
    await page.goto(`${gateway.http}/console/#/pushes/${encodeURIComponent(body.id)}`);
    await page.getByTestId('push-waterfall').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('push-totals').innerText()).toMatch(/matched 0, written 0, acked 0/);
    expect(await page.getByTestId('push-connection-row').count()).toBe(0);

    await page.getByTestId('push-query-id').fill('no-such-push');
    await page.getByTestId('push-open').click();
    await expect.poll(() => page.getByTestId('push-not-found').count(), { timeout: 10_000 }).toBe(1);
    // WSGW_PUSH_RECORD_MS's default, as the session reports it.
    expect(await page.getByTestId('push-not-found').innerText()).toContain('no-such-push in the last 10m');
    expect(await page.getByTestId('push-waterfall').count()).toBe(0);
    await page.close();
  });

  it('says the inspector is off on a gateway started with WSGW_PUSH_RECORD_MS=0', async () => {
    const off = await startTestGateway({ pushRecords: { ...gateway.config.pushRecords, maxAgeMs: 0 } });
    try {
      const { body } = await off.push({ to: { all: true }, data: 1 });
      const page = await logIn(off);
      await page.goto(`${off.http}/console/#/pushes/${encodeURIComponent(body.id)}`);
      await page.getByTestId('push-inspector-off').waitFor({ timeout: 10_000 });
      await expect.poll(() => page.getByTestId('push-not-found').count(), { timeout: 10_000 }).toBe(1);
      expect(await page.getByTestId('push-not-found').innerText()).toContain('turned off');
      await page.close();
    } finally {
      await off.close();
    }
  });

  it('draws each node of a cluster, and a node past its recorded bound as its slowest connections and percentiles', async () => {
    // Two nodes on NATS; each lists at most 2 connections per push one by one.
    const busPrefix = `wsgw-test-${randomUUID()}`;
    const a = await startNode({ nodeId: 'node-a', bus: NATS, busPrefix, nodeTimeoutMs: 1500, clusterWaitMs: 1000, pushRecords: { ...gateway.config.pushRecords, connections: 2 } });
    const shared = { apiKey: a.config.apiKey, jwtSecret: a.config.jwtSecret, adminToken: a.config.adminToken };
    const b = await startNode({ ...a.config, nodeId: 'node-b', port: 0, ...shared });
    for (const node of [a, b]) await expect.poll(async () => (await node.api('GET', '/api/cluster')).body.nodes.length, { timeout: 5000 }).toBe(2);
    // Each node answers the other's queries before the push, so the push's answer counts them both.
    for (const node of [a, b]) await expect.poll(async () => (await node.api('GET', '/api/users/nobody')).body.complete, { timeout: 5000 }).toBeUndefined();
    const onA = await a.connect('kai');
    // node-b lists SLOWEST_RECORDED_CONNECTIONS (10) of its 11 after passing the bound.
    const onB = await Promise.all(Array.from({ length: SLOWEST_RECORDED_CONNECTIONS + 1 }, () => b.connect('kai')));
    const { body } = await a.push({ to: { users: ['kai'] }, data: 'x' });
    expect(body.recipients).toBe(12);
    for (const client of [onA, ...onB]) {
      await client.waitForPushes(1);
      client.send({ type: 'ack', id: body.id });
    }
    await expect
      .poll(async () => ((await a.operator('GET', `/pushes/${encodeURIComponent(body.id)}`)).body as PushInspection).nodes?.map((n) => n.acked), { timeout: 5000 })
      .toEqual([1, 11]);

    const page = await logIn(a);
    await page.goto(`${a.http}/console/#/pushes/${encodeURIComponent(body.id)}`);
    await page.getByTestId('push-waterfall').waitFor({ timeout: 10_000 });
    // Rows follow the fan-outs' start, which either node may win: compare the set.
    expect((await page.getByTestId('push-node-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-node')))).sort()).toEqual(['node-a', 'node-b']);
    const rowA = page.locator(`[data-connection="${onA.welcome.connection}"]`);
    expect(await rowA.getByTestId('connection-ack').count()).toBe(1);
    expect(await page.getByTestId('push-totals').innerText()).toMatch(/matched 12, written 12, acked 12 on 2 nodes/);
    // node-b matched 11 > 2: it lists its slowest ten and the latencies over all eleven.
    const truncated = page.getByTestId('push-node-truncated');
    expect(await truncated.count()).toBe(1);
    expect(await truncated.innerText()).toMatch(/11 connections matched on node-b, .* its 10 slowest \(1 more not listed\)/);
    expect(await truncated.getByTestId('push-latency').locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.children[1]?.textContent))).toEqual(['11', '11']);
    expect(await page.getByTestId('push-connection-row').count()).toBe(1 + SLOWEST_RECORDED_CONNECTIONS);
    await shot(page, 'push-inspector-cluster');
    await page.close();
  }, 30_000);

  it('warns that an answer is incomplete while a node of the cluster is silent', async () => {
    // node-a keeps a silent peer listed for 10 s and waits 300 ms for each answer.
    const busPrefix = `wsgw-test-${randomUUID()}`;
    const a = await startNode({ nodeId: 'node-a', bus: NATS, busPrefix, nodeTimeoutMs: 10_000, clusterWaitMs: 300 });
    const b = spawnGateway({ WSGW_NODE_ID: 'node-b', WSGW_BUS: NATS, WSGW_BUS_PREFIX: busPrefix, WSGW_LOG_LEVEL: 'info' });
    try {
      await b.port;
      await expect.poll(async () => (await a.api('GET', '/api/cluster')).body.nodes.length, { timeout: 10_000 }).toBe(2);
      await expect.poll(async () => (await a.api('GET', '/api/users/nobody')).body.complete, { timeout: 5000 }).toBeUndefined();
      const { body } = await a.push({ to: { users: ['nell'] }, data: 1 });
      // Stopped, not gone: node-a still lists it and waits for an answer that does not come.
      b.child.kill('SIGSTOP');
      const page = await logIn(a);
      await page.goto(`${a.http}/console/#/pushes/${encodeURIComponent(body.id)}`);
      await page.getByTestId('push-waterfall').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('push-incomplete').innerText()).toMatch(/did not answer in time/);

      await page.getByTestId('push-query-id').fill('no-such-push');
      await page.getByTestId('push-open').click();
      await page.getByTestId('push-not-found').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('push-incomplete').innerText()).toMatch(/may hold a record of this push/);
      await shot(page, 'push-inspector-incomplete');
      await page.close();
    } finally {
      b.child.kill('SIGCONT');
      b.child.kill('SIGTERM');
      await b.exited;
    }
  }, 40_000);
});
