import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { mintToken } from '../auth/token-minter.ts';
import { loadConfig } from '../config.ts';
import { createServer } from '../server.ts';
import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '../protocol.ts';
import { createProviderKey, startJwksServer, type ProviderKey } from '../testing/jwks-server.ts';
import { connectClient, type TestClient } from '../testing/test-client.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

/** Epoch seconds `seconds` from now, as a token's `exp`. */
const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;
/** The first whole second at least `ms` from now, as a token's `exp`: room for what a test does before it. */
const expiryAfter = (ms: number) => Math.ceil((Date.now() + ms) / 1000);
const key = (secret: string) => new TextEncoder().encode(secret);

/** A short grace, so that a test sees the 4003 within a few seconds. */
const GRACE_MS = 1000;

async function connectUntil(gateway: TestGateway, user: string, exp: number): Promise<TestClient> {
  return connectClient(gateway.wsUrl, { authorization: `Bearer ${await gateway.token(user, [], exp)}` });
}

/** A token with no `exp` claim (the test gateway's minter always sets one). */
const endless = (gateway: TestGateway, user: string) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(user).sign(key(gateway.config.jwtSecret!));

const isRefresh = (frame: ServerFrame) => frame.type === 'refresh';
const answerOf = (client: TestClient, after: number) => client.waitFor((frame) => (frame.type === 'token_accepted' || frame.type === 'token_refused') && client.frames.indexOf(frame) >= after);

/** Sends a token frame and waits for the answer to it. */
async function sendToken(client: TestClient, token: string) {
  const after = client.frames.length;
  client.send({ type: 'token', token });
  return answerOf(client, after);
}

/** Pushes to `user` and waits until `client` has it: every frame written to it before is in its log. */
async function marker(gateway: TestGateway, client: TestClient, user: string) {
  const { body } = await gateway.push({ to: { users: [user] }, data: 'marker' });
  await client.waitFor((frame) => frame.type === 'push' && frame.id === body.id);
  return client.frames.findIndex((frame) => frame.type === 'push' && frame.id === body.id);
}

const stats = async (gateway: TestGateway) => (await gateway.api('GET', '/api/stats')).body;

describe('token refresh', () => {
  it('sends refresh at exp; a new token keeps the connection, silence closes it with 4003 "token expired"', async () => {
    const gateway = await startTestGateway({ refreshGraceMs: GRACE_MS });
    const exp = expiryAfter(1500);
    const answering = await connectUntil(gateway, 'alice', exp);
    const silent = await connectUntil(gateway, 'bob', exp);
    expect(gateway.server.tokenExpiry).toMatchObject({ waiting: 2, inGrace: 0 });

    await answering.waitFor(isRefresh, 4000);
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
    const next = inSeconds(60);
    expect(await sendToken(answering, await gateway.token('alice', [], next))).toEqual({ type: 'token_accepted', exp: next });

    await silent.waitFor(isRefresh, 4000);
    const refreshedAt = Date.now();
    expect(await silent.closed).toEqual({ code: 4003, reason: 'token expired' });
    expect(Date.now() - refreshedAt).toBeGreaterThanOrEqual(GRACE_MS - 50);
    // Bob's grace ended with alice's: alice, renewed, still gets pushes.
    await marker(gateway, answering, 'alice');
    expect(answering.ws.readyState).toBe(answering.ws.OPEN);

    const { connectionsClosed } = await stats(gateway);
    expect(connectionsClosed).toMatchObject({ expired: 1, normal: 0, policy: 0 });
    expect(gateway.server.tokenExpiry).toMatchObject({ waiting: 1, inGrace: 0 });
    const metrics = await (await fetch(`${gateway.http}/metrics`)).text();
    expect(metrics).toMatch(/^wsgw_connections_closed_total\{reason="expired"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^wsgw_token_refreshes_total(\{[^}]*\})? 2$/m);
    expect(metrics).toMatch(/^wsgw_token_renewals_total\{result="accepted"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^wsgw_token_renewals_total\{result="refused"[^}]*\} 0$/m);
  });

  it('refuses a token for another user, an invalid or expired one, and keeps the old deadline', async () => {
    const gateway = await startTestGateway({ refreshGraceMs: GRACE_MS });
    const client = await connectUntil(gateway, 'carol', inSeconds(2));
    const refused = (error: string) => ({ type: 'token_refused', error });
    expect(await sendToken(client, await gateway.token('mallory', [], inSeconds(60)))).toEqual(refused("token sub is not the connection's user"));
    expect(await sendToken(client, 'not.a.jwt')).toEqual(refused('token is malformed'));
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('carol').setExpirationTime('1m').sign(key('x'.repeat(32)));
    expect(await sendToken(client, forged)).toEqual(refused('token signature is invalid'));
    expect(await sendToken(client, await gateway.token('carol', [], inSeconds(-10)))).toEqual(refused('token expired'));
    // A frame without a token is a malformed frame, answered like the others.
    client.send({ type: 'token' });
    await client.waitFor((frame) => frame.type === 'error' && frame.error.startsWith('token needs "token"'));

    await client.waitFor(isRefresh, 4000);
    expect(await sendToken(client, await gateway.token('mallory', [], inSeconds(60)))).toEqual(refused("token sub is not the connection's user"));
    expect(await client.closed).toEqual({ code: 4003, reason: 'token expired' });
    await expect.poll(async () => (await stats(gateway)).connectionsClosed.expired).toBe(1);
  });

  it('takes a token before exp, moving the deadline, or lifting it for a token without exp', async () => {
    const gateway = await startTestGateway({ refreshGraceMs: GRACE_MS });
    const exp = expiryAfter(1500);
    const early = await connectUntil(gateway, 'dave', exp);
    const lifted = await connectUntil(gateway, 'erin', exp);
    const unchanged = await connectUntil(gateway, 'frank', exp);
    const later = exp + 2;
    expect(await sendToken(early, await gateway.token('dave', [], later))).toEqual({ type: 'token_accepted', exp: later });
    expect(await sendToken(lifted, await endless(gateway, 'erin'))).toEqual({ type: 'token_accepted' });
    expect(gateway.server.tokenExpiry).toMatchObject({ waiting: 2, inGrace: 0 });

    await unchanged.waitFor(isRefresh, 4000);
    // Had dave's or erin's old deadline stood, their refresh would have been written in frank's
    // tick, before the marker push.
    for (const [client, user] of [[early, 'dave'], [lifted, 'erin']] as const) {
      const at = await marker(gateway, client, user);
      expect(client.frames.slice(0, at).some(isRefresh)).toBe(false);
    }
    await early.waitFor(isRefresh, 4000);
    expect(Date.now()).toBeGreaterThanOrEqual(later * 1000);
    expect(await early.closed).toEqual({ code: 4003, reason: 'token expired' });
    // Erin's connection outlived both deadlines.
    const at = await marker(gateway, lifted, 'erin');
    expect(lifted.frames.slice(0, at).some(isRefresh)).toBe(false);
  });

  it('never sends refresh on a connection whose token has no exp', async () => {
    const gateway = await startTestGateway({ refreshGraceMs: GRACE_MS });
    const forever = await connectClient(gateway.wsUrl, { authorization: `Bearer ${await endless(gateway, 'gina')}` });
    const expiring = await connectUntil(gateway, 'hank', expiryAfter(1500));
    expect(gateway.server.tokenExpiry).toMatchObject({ waiting: 1, inGrace: 0 });
    expect(await expiring.closed).toEqual({ code: 4003, reason: 'token expired' });
    const at = await marker(gateway, forever, 'gina');
    expect(forever.frames.slice(0, at).some(isRefresh)).toBe(false);
    expect(gateway.server.tokenExpiry).toMatchObject({ waiting: 0, inGrace: 0 });
  });

  it('handles 200 connections expiring in the same second, and closed ones leave nothing behind', async () => {
    // A longer grace: a hundred answers verified at once must all land within it on a busy machine.
    const gateway = await startTestGateway({ refreshGraceMs: 2 * GRACE_MS, connectRatePerIp: 1000 });
    const exp = expiryAfter(2500);
    const clients = await Promise.all(Array.from({ length: 200 }, (_, i) => connectUntil(gateway, `user-${i}`, exp)));
    // Waiting, or already sent refresh when connecting took past exp.
    const { waiting, inGrace } = gateway.server.tokenExpiry;
    expect(waiting + inGrace).toBe(200);
    const answering = clients.slice(0, 100);
    const silent = clients.slice(100);
    await Promise.all(
      answering.map(async (client, i) => {
        await client.waitFor(isRefresh, 6000);
        expect(await sendToken(client, await gateway.token(`user-${i}`, [], inSeconds(600)))).toMatchObject({ type: 'token_accepted' });
      }),
    );
    const closes = await Promise.all(silent.map((client) => client.closed));
    expect(closes.every((close) => close.code === 4003 && close.reason === 'token expired')).toBe(true);
    expect(silent.every((client) => client.frames.some(isRefresh))).toBe(true);
    expect((await stats(gateway)).connectionsClosed.expired).toBe(100);
    expect(gateway.server.tokenExpiry).toMatchObject({ waiting: 100, inGrace: 0 });

    await Promise.all(answering.map((client) => client.close()));
    await expect.poll(() => gateway.server.hub.size).toBe(0);
    expect(gateway.server.tokenExpiry).toMatchObject({ waiting: 0, inGrace: 0 });
  });

  it('forgets a connection that closes during its grace', async () => {
    const gateway = await startTestGateway({ refreshGraceMs: 60_000 });
    const client = await connectUntil(gateway, 'ivan', inSeconds(2));
    await client.waitFor(isRefresh, 4000);
    expect(gateway.server.tokenExpiry).toMatchObject({ waiting: 0, inGrace: 1 });
    await client.close();
    await expect.poll(() => gateway.server.hub.size).toBe(0);
    expect(gateway.server.tokenExpiry).toMatchObject({ waiting: 0, inGrace: 0 });
    expect((await stats(gateway)).connectionsClosed).toMatchObject({ normal: 1, expired: 0 });
  });

  it('verifies a renewed token like a connect token: through the JWKS, with its issuer, audience and algorithms', async () => {
    const provider = await createProviderKey('k1');
    const jwks = await startJwksServer([provider.jwk]);
    const gateway = await startTestGateway({
      jwtSecret: undefined,
      jwks: { url: jwks.url, cooldownMs: 0, timeoutMs: 2000, maxAgeMs: 60_000 },
      jwtIssuer: 'https://idp.example',
      jwtAudience: ['wsgw'],
      refreshGraceMs: GRACE_MS,
    });
    const sign = (signer: ProviderKey, claims: { iss?: string; aud?: string; exp: number }) =>
      new SignJWT({})
        .setProtectedHeader({ alg: signer.alg, kid: signer.kid })
        .setSubject('judy')
        .setIssuer(claims.iss ?? 'https://idp.example')
        .setAudience(claims.aud ?? 'wsgw')
        .setExpirationTime(claims.exp)
        .sign(signer.privateKey);
    try {
      const client = await connectClient(`${gateway.wsUrl}?token=${await sign(provider, { exp: inSeconds(2) })}`);
      await client.waitFor(isRefresh, 4000);
      const refused = (error: string) => ({ type: 'token_refused', error });
      expect(await sendToken(client, await sign(provider, { iss: 'https://other.example', exp: inSeconds(60) }))).toEqual(refused('token issuer is not accepted'));
      expect(await sendToken(client, await sign(provider, { aud: 'other', exp: inSeconds(60) }))).toEqual(refused('token audience is not accepted'));
      const hs256 = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('judy').sign(key('s'.repeat(32)));
      expect(await sendToken(client, hs256)).toEqual(refused('token algorithm is not accepted'));
      // The provider rotated its key meanwhile: the renewed token's new kid is fetched, as on connect.
      const rotated = await createProviderKey('k2');
      jwks.publish([rotated.jwk, provider.jwk]);
      const exp = inSeconds(60);
      expect(await sendToken(client, await sign(rotated, { exp }))).toEqual({ type: 'token_accepted', exp });
      expect(gateway.server.tokenExpiry).toMatchObject({ waiting: 1, inGrace: 0 });
    } finally {
      await jwks.close();
    }
  });

  it('logs refusals and the expiry close at debug level, never a token', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const secret = randomBytes(32).toString('base64url');
    const config = {
      ...loadConfig({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', WSGW_API_KEY: 'k'.repeat(32), WSGW_JWT_SECRET: secret, WSGW_CONSOLE: 'false' }),
      refreshGraceMs: GRACE_MS,
    };
    const server = createServer(config, { logger });
    const { port } = await server.listen();
    try {
      const connectToken = await mintToken({ secret, user: 'kim', expiresIn: inSeconds(2) });
      const client = await connectClient(`ws://127.0.0.1:${port}/ws?token=${connectToken}`);
      const tokens = [await mintToken({ secret, user: 'mallory', expiresIn: '1m' }), `${connectToken.slice(0, -4)}AAAA`];
      for (const token of tokens) expect(await sendToken(client, token)).toMatchObject({ type: 'token_refused' });
      expect(await client.closed).toEqual({ code: 4003, reason: 'token expired' });
      await expect.poll(() => lines.some((line) => line.includes('connection closed'))).toBe(true);
      const log = lines.join('');
      expect(log).toContain('token refresh refused');
      expect(log).toContain('token expired and not renewed');
      for (const token of [connectToken, ...tokens]) expect(log).not.toContain(token.split('.')[2]);
    } finally {
      await server.shutdown();
    }
  });
});
