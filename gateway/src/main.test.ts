import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from './protocol.ts';
import { mintToken } from './auth/token-minter.ts';
import { spawnGateway, spawnStartScript, type GatewayProcess } from './testing/gateway-process.ts';
import { startScript } from './testing/start-script.ts';
import { connectClient, expectRefusal } from './testing/test-client.ts';

let running: GatewayProcess | undefined;
afterEach(() => {
  if (running?.child.exitCode === null) running.child.kill('SIGKILL');
  running = undefined;
});

describe('the gateway process', () => {
  it('closes every connection with 1001 on SIGTERM and exits within 10 s', async () => {
    const secret = randomBytes(32).toString('base64url');
    running = spawnGateway({ NODE_ENV: 'production', WSGW_API_KEY: 'k'.repeat(32), WSGW_JWT_SECRET: secret, WSGW_CONSOLE: 'false' });
    const port = await running.port;
    const token = await mintToken({ secret, user: 'alice' });
    const clients = await Promise.all([1, 2, 3].map(() => connectClient(`ws://127.0.0.1:${port}/ws?token=${token}`)));
    const started = Date.now();
    running.child.kill('SIGTERM');
    for (const client of clients) expect(await client.closed).toEqual({ code: CloseCode.GoingAway, reason: 'going away' });
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(running.output()).toContain('"msg":"stopped"');
  });

  it('runs in dev mode without secrets and prints them with a demo token and a curl line', async () => {
    running = spawnGateway({});
    const port = await running.port;
    await expect.poll(() => running!.output(), { timeout: 5000 }).toContain('curl -s -X POST');
    const output = running.output();
    const apiKey = /WSGW_API_KEY=(\S+)/.exec(output)?.[1];
    const token = /Token for user "demo".*\n\s+(\S+)/.exec(output)?.[1];
    expect(apiKey).toBeDefined();
    expect(token).toBeDefined();
    const client = await connectClient(`ws://127.0.0.1:${port}/ws?token=${token}`);
    expect(client.welcome.user).toBe('demo');
    const response = await fetch(`http://127.0.0.1:${port}/api/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: { users: ['demo'] }, data: { hello: 'world' } }),
    });
    expect(response.status).toBe(202);
    expect((await client.waitForPushes(1))[0]!.data).toEqual({ hello: 'world' });
    await client.close();
    running.child.kill('SIGINT');
    expect((await running.exited).code).toBe(0);
  });

  it('refuses to start in production without secrets, naming what is missing', async () => {
    running = spawnGateway({ NODE_ENV: 'production' });
    const { code } = await running.exited;
    expect(code).toBe(78);
    expect(running.output()).toContain(
      'production mode requires WSGW_API_KEY and WSGW_JWT_SECRET, WSGW_JWT_PUBLIC_KEY or WSGW_JWT_JWKS_URL and WSGW_ADMIN_TOKEN (or WSGW_CONSOLE=false)',
    );
  });

  it('never logs tokens or keys', async () => {
    const secret = randomBytes(32).toString('base64url');
    const apiKey = randomBytes(24).toString('base64url');
    const adminToken = randomBytes(24).toString('base64url');
    running = spawnGateway({ NODE_ENV: 'production', WSGW_API_KEY: apiKey, WSGW_JWT_SECRET: secret, WSGW_ADMIN_TOKEN: adminToken, WSGW_LOG_LEVEL: 'debug' });
    const port = await running.port;
    const token = await mintToken({ secret, user: 'alice' });
    const client = await connectClient(`ws://127.0.0.1:${port}/ws?token=${token}`);
    expect((await expectRefusal(`ws://127.0.0.1:${port}/ws?token=${token}x`)).status).toBe(401);
    await fetch(`http://127.0.0.1:${port}/api/stats`, { headers: { authorization: `Bearer ${apiKey}x` } });
    await fetch(`http://127.0.0.1:${port}/api/console/session`, { headers: { authorization: `Bearer ${adminToken}` } });
    await fetch(`http://127.0.0.1:${port}/api/console/session`, { headers: { authorization: `Bearer ${adminToken}x` } });
    await client.close();
    running.child.kill('SIGTERM');
    await running.exited;
    const output = running.output();
    expect(output).toContain('connection opened');
    for (const secretValue of [secret, apiKey, adminToken, token, token.split('.')[2]!]) expect(output).not.toContain(secretValue);
  });
});

describe('npm start', () => {
  it('runs the compiled gateway and OpenTelemetry bootstrap, without a TypeScript loader', () => {
    const script = startScript();
    expect(script).not.toContain('tsx');
    expect(script).toBe('node --import @wsgw/otel/dist/register dist/main.js');
  });

  it('answers /health, serves the console and prints the dev banner, with no secret in a log line', async () => {
    running = spawnStartScript({});
    const port = await running.port;
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    // console/dist is found from gateway/dist as it is from gateway/src.
    const consolePage = await fetch(`http://127.0.0.1:${port}/console/`);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain('<html');
    await expect.poll(() => running!.output(), { timeout: 5000 }).toContain('curl -s -X POST');
    const output = running.output();
    const secrets = ['WSGW_API_KEY', 'WSGW_JWT_SECRET', 'WSGW_ADMIN_TOKEN'].map((name) => new RegExp(`${name}=(\\S+)`).exec(output)?.[1]);
    const logLines = output.split('\n').filter((line) => line.startsWith('{'));
    expect(logLines.some((line) => line.includes('"msg":"listening"'))).toBe(true);
    for (const secret of secrets) {
      expect(secret).toBeDefined();
      for (const line of logLines) expect(line).not.toContain(secret);
    }
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  });
});
