import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { connectClient } from '../testing/test-client.ts';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

const hs256 = () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' });
const key = (secret: string) => new TextEncoder().encode(secret);

describe('GET /ws', () => {
  it('welcomes a connection authenticated by header and registers it', async () => {
    const gateway = await startTestGateway({ nodeId: 'node-a' });
    const client = await gateway.connect('alice', ['news']);
    expect(client.welcome).toEqual({ type: 'welcome', connection: expect.any(String), user: 'alice', node: 'node-a' });
    const { body } = await gateway.api('GET', '/api/users/alice');
    expect(body.connections).toHaveLength(1);
    expect(body.connections[0]).toMatchObject({ id: client.welcome.connection, tags: ['news'], remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });

  it('accepts the token in the query string for browsers', async () => {
    const gateway = await startTestGateway();
    const token = await gateway.token('bob');
    const client = await connectClient(`${gateway.wsUrl}?token=${token}`);
    expect(client.welcome.user).toBe('bob');
    await client.close();
  });

  it('verifies RS256 and ES256 tokens with a PEM public key', async () => {
    for (const [type, alg] of [['rsa', 'RS256'], ['ec', 'ES256']] as const) {
      const pair =
        type === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const gateway = await startTestGateway({ jwtSecret: undefined, jwtPublicKey: pem });
      const token = await new SignJWT({ tags: ['t'] }).setProtectedHeader({ alg }).setSubject(`${alg}-user`).setExpirationTime('1m').sign(pair.privateKey);
      const client = await connectClient(`${gateway.wsUrl}?token=${token}`);
      expect(client.welcome.user).toBe(`${alg}-user`);
      // An HS256 token signed with the public key text (algorithm confusion) is refused.
      const confused = await hs256().setSubject('mallory').sign(key(pem));
      expect((await gateway.refusal(`?token=${confused}`)).status).toBe(401);
      await client.close();
    }
  });

  it.each([
    ['no token', async () => ''],
    ['alg none', async () => new UnsecuredJWT({}).setSubject('mallory').encode()],
    ['a wrong signature', async () => hs256().setSubject('mallory').sign(key('x'.repeat(32)))],
    ['an expired token', async (secret: string) => hs256().setSubject('alice').setExpirationTime(Math.floor(Date.now() / 1000) - 10).sign(key(secret))],
    ['a token not valid yet', async (secret: string) => hs256().setSubject('alice').setNotBefore('10m').sign(key(secret))],
    ['a missing sub', async (secret: string) => hs256().setExpirationTime('1m').sign(key(secret))],
    ['tags that are not strings', async (secret: string) => new SignJWT({ tags: [1] }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').sign(key(secret))],
    ['garbage', async () => 'not.a.jwt'],
  ])('answers 401 with a JSON error for %s, before any upgrade', async (_name, makeToken) => {
    const gateway = await startTestGateway();
    const token = await makeToken(gateway.config.jwtSecret!);
    const refusal = await gateway.refusal(token ? `?token=${encodeURIComponent(token)}` : '');
    expect(refusal.status).toBe(401);
    expect(refusal.body).toEqual({ error: expect.any(String) });
    const { body } = await gateway.api('GET', '/api/stats');
    expect(body.connections).toBe(0);
    expect(body.connectionsRejected.auth).toBe(1);
  });

  it('refuses origins outside WSGW_ALLOWED_ORIGINS with 403', async () => {
    const gateway = await startTestGateway({ allowedOrigins: ['https://app.example'] });
    const token = await gateway.token('alice');
    expect(await gateway.refusal(`?token=${token}`, { origin: 'https://evil.example' })).toEqual({ status: 403, body: { error: 'origin not allowed' } });
    const client = await connectClient(`${gateway.wsUrl}?token=${token}`, { origin: 'https://app.example' });
    expect(client.welcome.user).toBe('alice');
    await client.close();
  });

  it('limits connections per user, in total, and new connections per second per IP', async () => {
    const gateway = await startTestGateway({ maxConnectionsPerUser: 2, maxConnections: 3, connectRatePerIp: 3 });
    await gateway.connect('alice');
    await gateway.connect('alice');
    const token = await gateway.token('alice');
    expect(await gateway.refusal(`?token=${token}`)).toEqual({ status: 429, body: { error: 'too many connections for this user' } });
    await gateway.connect('bob');
    // The per-IP burst (2 × 3/s) is used up by now.
    const burst = [];
    for (let i = 0; i < 4; i += 1) burst.push(await gateway.refusal(`?token=${await gateway.token(`u${i}`)}`));
    expect(burst.map((r) => r.status)).toContain(503);
    expect(burst.map((r) => r.status)).toContain(429);
    const { body } = await gateway.api('GET', '/api/stats');
    expect(body.connections).toBe(3);
    expect(body.connectionsRejected.limit).toBeGreaterThanOrEqual(2);
    expect(body.connectionsRejected.rate).toBeGreaterThanOrEqual(1);
  });

  it('answers 426 to a plain GET /ws and 404 to an upgrade elsewhere', async () => {
    const gateway = await startTestGateway();
    const plain = await fetch(`${gateway.http}/ws`);
    expect(plain.status).toBe(426);
    expect(await plain.json()).toEqual({ error: 'expected a WebSocket upgrade' });
    const elsewhere = await gateway.refusal('/../../nope');
    expect(elsewhere.status).toBe(404);
  });
});
