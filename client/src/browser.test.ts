import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { useTestGateways } from '@wsgw/gateway/testing';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Sdk from './index.ts';

declare global {
  interface Window {
    wsgw: typeof Sdk;
    client: Sdk.WsgwClient;
    seen: { states: Sdk.StateChange[]; pushes: Array<Omit<Sdk.WsgwPush, 'ack'>> };
  }
}

const startTestGateway = useTestGateways();
let browser: Browser;
let site: Server;
let siteUrl: string;

/** The SDK bundled for a page as the global `wsgw`: only browser code can be in it. */
async function bundleSdk(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'wsgw',
    platform: 'browser',
    target: 'es2022',
  });
  return result.outputFiles[0]!.text;
}

beforeAll(async () => {
  const sdk = await bundleSdk();
  site = createServer((request, response) => {
    if (request.url === '/wsgw-client.js') return void response.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>wsgw client</title><script src="/wsgw-client.js"></script>');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: process.env.WSGW_TEST_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
});

async function openPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(siteUrl);
  return page;
}

describe('the SDK in Chromium', () => {
  it('connects with the native WebSocket, receives a push and acks it', async () => {
    const gateway = await startTestGateway();
    const page = await openPage();
    const token = await gateway.token('alice');
    await page.evaluate(
      ({ url, token }) => {
        window.seen = { states: [], pushes: [] };
        window.client = window.wsgw.createWsgwClient({ url, tokenProvider: () => Promise.resolve(token) });
        window.client.on('state', (change) => window.seen.states.push(change));
        window.client.on('push', ({ ack: _ack, ...push }) => window.seen.pushes.push(push));
      },
      { url: gateway.wsUrl, token },
    );
    await expect.poll(() => page.evaluate(() => window.client.state)).toBe('open');

    const { body } = await gateway.push({ to: { users: ['alice'] }, data: { hello: 'browser' } });
    await expect.poll(() => page.evaluate(() => window.seen.pushes)).toEqual([expect.objectContaining({ id: body.id, data: { hello: 'browser' } })]);
    await expect.poll(async () => (await gateway.api('GET', '/api/stats')).body.acks).toBe(1);

    await page.evaluate(() => window.client.close());
    expect(await page.evaluate(() => window.seen.states.map((change) => change.state))).toEqual(['connecting', 'open', 'closed']);
    await page.close();
  });

  it('sees a refused upgrade as a close before open, and stops when the token provider has no token then', async () => {
    const gateway = await startTestGateway();
    const page = await openPage();
    await page.evaluate(
      ({ url }) => {
        window.seen = { states: [], pushes: [] };
        window.client = window.wsgw.createWsgwClient({
          url,
          random: () => 0,
          // A provider that knows its token was refused (here: the second ask) gives up.
          tokenProvider: ({ lastReason }) => (lastReason?.type === 'close' && !lastReason.opened ? null : 'not-a-token'),
        });
        window.client.on('state', (change) => window.seen.states.push(change));
      },
      { url: gateway.wsUrl },
    );
    await expect.poll(() => page.evaluate(() => window.client.state)).toBe('closed');
    const states = await page.evaluate(() => window.seen.states);
    expect(states.map((change) => change.state)).toEqual(['connecting', 'reconnecting', 'connecting', 'closed']);
    expect(states[1]).toMatchObject({ reason: { type: 'close', code: 1006, opened: false } });
    expect(states[3]).toEqual({ state: 'closed', reason: { type: 'no-token' } });
    expect((await gateway.api('GET', '/api/stats')).body.connectionsRejected.auth).toBe(1);
    await page.close();
  });
});
