import { existsSync } from 'node:fs';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { PushFrame } from '@wsgw/gateway/protocol';
import { startTestGateway, type TestClient, type TestGateway } from '@wsgw/gateway/testing';
import { startTracing } from '@wsgw/otel/tracing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium } from './browser.ts';

const DIST = new URL('../../dist/index.html', import.meta.url);
const TRACE_UI = 'http://traces.example/trace/{traceId}';

// The test push must produce a trace the console can link to: record spans in process.
const tracing = await startTracing({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())], env: {} });

let browser: Browser;
let gateway: TestGateway;
const clients: TestClient[] = [];

const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
const text = (page: Page, testId: string) => page.getByTestId(testId).first().innerText();

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('the console is not built: run npm run build -w console (npm install does it)');
  browser = await launchChromium();
  gateway = await startTestGateway({
    slowDeliveryMs: 200,
    connectRatePerIp: 10_000,
    traceUrlTemplate: TRACE_UI,
  });
  // 50 connections: alice holds two, 48 others one each; slowpoke acks late.
  clients.push(await gateway.connect('alice'), await gateway.connect('alice'), await gateway.connect('slowpoke'));
  for (let i = 0; i < 47; i += 1) clients.push(await gateway.connect(`user-${i}`, ['e2e']));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await tracing.shutdown();
});

async function logIn(page: Page): Promise<void> {
  await page.goto(`${gateway.http}/console/`);
  await page.getByTestId('login-token').fill(gateway.config.adminToken!);
  await page.getByTestId('login-submit').click();
  await expect.poll(() => text(page, 'status'), { timeout: 10_000 }).toMatch(/live/i);
}

describe('the operator console in Chromium', () => {
  it('refuses a wrong token on the login form', async () => {
    const page = await browser.newPage();
    await page.goto(`${gateway.http}/console/`);
    await page.getByTestId('login-token').fill('definitely-not-the-operator-token');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => text(page, 'login-error')).toMatch(/invalid/i);
    await shot(page, 'login-refused');
    await page.close();
  });

  it('shows the 50 connections, a test push to 50 recipients with its trace, and a slow delivery as a waterfall', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await logIn(page);
    await expect.poll(() => text(page, 'total-connections'), { timeout: 10_000 }).toBe('50');
    expect(await page.getByTestId('node-row').count()).toBe(1);
    await shot(page, 'overview');

    await page.getByTestId('nav-push').click();
    await page.getByTestId('push-kind').selectOption('all');
    await page.getByTestId('push-data').fill('{"hello":"from the console"}');
    await page.getByTestId('push-send').click();
    await expect.poll(() => text(page, 'push-recipients'), { timeout: 10_000 }).toBe('50');
    const pushId = await text(page, 'push-id');
    const received = (await clients[5]!.waitForPushes(1)) as PushFrame[];
    expect(received.map((f) => [f.id, f.data])).toContainEqual([pushId.trim(), { hello: 'from the console' }]);
    const traceLink = page.getByTestId('trace-id').first();
    const traceId = (await traceLink.innerText()).trim();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(await page.locator(`a[href="${TRACE_UI.replace('{traceId}', traceId)}"]`).count()).toBeGreaterThan(0);
    await shot(page, 'test-push');

    await page.getByTestId('nav-tail').click();
    await page.getByTestId('tail-row').filter({ hasText: pushId.trim() }).first().waitFor({ timeout: 10_000 });
    await shot(page, 'live-tail');

    // slowpoke acks 400 ms late: over the 200 ms threshold, so the delivery is captured.
    const slow = await gateway.push({ to: { users: ['slowpoke'] }, data: 'late' });
    const [frame] = (await clients[2]!.waitForPushes(2)).slice(-1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    clients[2]!.send({ type: 'ack', id: frame!.id });
    expect(frame!.id).toBe(slow.body.id);

    await page.getByTestId('nav-slow').click();
    const row = page.getByTestId('slow-row').filter({ hasText: slow.body.id });
    await row.waitFor({ timeout: 10_000 });
    // The row selects; its push id is a link to the push inspector, so click beside it.
    await row.locator('td').nth(2).click();
    await page.getByTestId('waterfall').waitFor();
    expect(await page.getByTestId('waterfall-stage').count()).toBeGreaterThanOrEqual(4);
    expect(await page.getByTestId('waterfall').innerText()).toContain('slowpoke');
    await shot(page, 'slow-delivery');
    await page.close();
  });

  it('finds a user, disconnects it, and the count drops', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${gateway.http}/console/#token=${encodeURIComponent(gateway.config.adminToken!)}`);
    await expect.poll(() => text(page, 'status'), { timeout: 10_000 }).toMatch(/live/i);
    expect(page.url()).not.toContain('token=');

    await page.getByTestId('nav-users').click();
    await page.getByTestId('user-query').fill('alice');
    await page.getByTestId('user-search').click();
    await expect.poll(() => page.getByTestId('connection-row').count(), { timeout: 5000 }).toBe(2);
    await shot(page, 'user-inspector');
    await page.getByTestId('disconnect-user').click();
    await expect.poll(() => page.getByTestId('connection-row').count(), { timeout: 5000 }).toBe(0);

    await page.getByTestId('nav-overview').click();
    await expect.poll(() => text(page, 'total-connections'), { timeout: 10_000 }).toBe('48');
    await page.close();
  });

  it('adds a tag to a connection and removes one from the user, and shows both in the inspector and the live tail', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await logIn(page);
    await page.getByTestId('nav-users').click();
    await page.getByTestId('user-query').fill('user-3');
    await page.getByTestId('user-search').click();
    await expect.poll(() => page.getByTestId('connection-row').count(), { timeout: 5000 }).toBe(1);
    expect(await text(page, 'connection-tags')).toContain('e2e');

    await page.getByTestId('tag-input').fill('vip');
    await page.getByTestId('tag-add').click();
    await expect.poll(() => page.getByTestId('connection-tag').allInnerTexts(), { timeout: 5000 }).toEqual(['e2e', 'vip']);
    // The connection heard of it, and a push to the new tag reaches it.
    const user3 = clients[6]!;
    expect(await user3.waitFor((frame) => frame.type === 'tags')).toMatchObject({ tags: ['e2e', 'vip'], added: ['t:vip'] });
    expect((await gateway.push({ to: { tags: ['vip'] }, data: 'vip' })).body.recipients).toBe(1);

    await page.getByTestId('user-tag-input').fill('e2e');
    await page.getByTestId('user-tag-remove').click();
    await expect.poll(() => page.getByTestId('connection-tag').allInnerTexts(), { timeout: 5000 }).toEqual(['vip']);
    expect(await text(page, 'connection-tags')).not.toContain('e2e');
    await shot(page, 'user-tags');

    await page.getByTestId('nav-tail').click();
    await expect.poll(() => page.getByTestId('tag-change-row').count(), { timeout: 10_000 }).toBe(2);
    expect(await page.getByTestId('tag-change-added').allInnerTexts()).toEqual(['—', 'vip']);
    expect(await page.getByTestId('tag-change-removed').allInnerTexts()).toEqual(['e2e', '—']);
    await shot(page, 'tail-tag-changes');
    await page.close();
  });

  it('shows the feed as disconnected while the gateway is down and recovers when it returns', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await logIn(page);
    const port = Number(new URL(gateway.http).port);
    const { adminToken, apiKey, jwtSecret } = gateway.config;
    await gateway.close();
    await expect.poll(() => text(page, 'status'), { timeout: 10_000 }).toMatch(/disconnected/i);
    await shot(page, 'disconnected');

    gateway = await startTestGateway({ port, adminToken, apiKey, jwtSecret });
    await gateway.connect('returning');
    await expect.poll(() => text(page, 'status'), { timeout: 20_000 }).toMatch(/live/i);
    await expect.poll(() => text(page, 'total-connections'), { timeout: 10_000 }).toBe('1');
    await page.close();
  }, 40_000);
});
