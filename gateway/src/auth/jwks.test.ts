import { exportSPKI, importJWK, SignJWT, UnsecuredJWT, type CryptoKey } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type GatewayConfig } from '../config.ts';
import { createProviderKey, signWith, startJwksServer, type JwksServer } from '../testing/jwks-server.ts';
import { spawnGateway, type GatewayProcess } from '../testing/gateway-process.ts';
import { connectClient, expectRefusal } from '../testing/test-client.ts';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();
const servers: JwksServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function jwksServer(...args: Parameters<typeof startJwksServer>) {
  const server = await startJwksServer(...args);
  servers.push(server);
  return server;
}

/** A gateway whose only key source is `server`'s JWKS (no JWT secret), with the given refresh bounds. */
function jwksGateway(server: JwksServer, jwks: Partial<NonNullable<GatewayConfig['jwks']>> = {}, overrides: Partial<GatewayConfig> = {}) {
  return startTestGateway({
    jwtSecret: undefined,
    jwks: { url: server.url, cooldownMs: 0, timeoutMs: 2000, maxAgeMs: 60_000, ...jwks },
    connectRatePerIp: 10_000,
    ...overrides,
  });
}

const refused = (error: string) => ({ status: 401, body: { error } });

describe('connection tokens verified with a JWKS', () => {
  it('accepts RS256 and ES256 tokens by kid, and refuses HS256, none and keys the JWKS does not sign with', async () => {
    const rsa = await createProviderKey('rsa-1', 'RS256');
    const ec = await createProviderKey('ec-1', 'ES256');
    // An oct key in the set (some providers publish them) must never verify an HS256 token.
    const oct = { kty: 'oct', kid: 'oct-1', k: Buffer.from('s'.repeat(32)).toString('base64url'), alg: 'HS256' };
    const server = await jwksServer([rsa.jwk, ec.jwk, oct]);
    const gateway = await jwksGateway(server);
    expect((await connectClient(`${gateway.wsUrl}?token=${await signWith(rsa, 'alice')}`)).welcome.user).toBe('alice');
    expect((await connectClient(`${gateway.wsUrl}?token=${await signWith(ec, 'bob')}`)).welcome.user).toBe('bob');
    const hs256 = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'oct-1' }).setSubject('mallory').sign(new TextEncoder().encode('s'.repeat(32)));
    expect(await gateway.refusal(`?token=${hs256}`)).toEqual(refused('token algorithm is not accepted'));
    expect(await gateway.refusal(`?token=${new UnsecuredJWT({}).setSubject('mallory').encode()}`)).toEqual(refused('token algorithm is not accepted'));
    // An RSA kid named in an ES256 token: the key does not fit the algorithm.
    expect(await gateway.refusal(`?token=${await signWith(ec, 'mallory', { kid: 'rsa-1' })}`)).toEqual(refused('token kid is not in the JWKS'));
  });

  it('follows a key rotation: a token with a new kid makes the gateway fetch the JWKS again and accept it', async () => {
    const old = await createProviderKey('2026-11');
    const server = await jwksServer([old.jwk]);
    const gateway = await jwksGateway(server);
    await connectClient(`${gateway.wsUrl}?token=${await signWith(old, 'alice')}`);
    expect(server.fetches).toBe(1);
    // Cached: the same kid again costs no fetch.
    await connectClient(`${gateway.wsUrl}?token=${await signWith(old, 'alice')}`);
    expect(server.fetches).toBe(1);
    const rotated = await createProviderKey('2026-12');
    server.publish([rotated.jwk, old.jwk]);
    expect((await connectClient(`${gateway.wsUrl}?token=${await signWith(rotated, 'bob')}`)).welcome.user).toBe('bob');
    expect(server.fetches).toBe(2);
    // A kid that is still unknown after the refresh is refused.
    expect(await gateway.refusal(`?token=${await signWith(rotated, 'mallory', { kid: 'made-up' })}`)).toEqual(refused('token kid is not in the JWKS'));
  });

  it('drops a key the provider removed once the cached set is older than the max age', async () => {
    const key = await createProviderKey('k1');
    const server = await jwksServer([key.jwk]);
    // A max age of 0: every token finds the cache stale, so the removal is seen on the next one.
    const gateway = await jwksGateway(server, { maxAgeMs: 0 });
    await connectClient(`${gateway.wsUrl}?token=${await signWith(key, 'alice')}`);
    server.publish([]);
    expect(await gateway.refusal(`?token=${await signWith(key, 'alice')}`)).toEqual(refused('token kid is not in the JWKS'));
  });

  it('bounds the refreshes: a flood of unknown kids costs one fetch per cooldown, and known kids keep working', async () => {
    const known = await createProviderKey('known');
    const server = await jwksServer([known.jwk]);
    const gateway = await jwksGateway(server, { cooldownMs: 60_000 });
    const flood = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => gateway.refusal(`?token=${await signWith(known, 'mallory', { kid: `unknown-${i}` })}`)),
    );
    expect(flood).toEqual(Array.from({ length: 40 }, () => refused('token kid is not in the JWKS')));
    // The first token's fetch was shared by the concurrent ones; the later ones fell in the cooldown.
    expect(server.fetches).toBe(1);
    expect((await connectClient(`${gateway.wsUrl}?token=${await signWith(known, 'alice')}`)).welcome.user).toBe('alice');
    // A rotated key within the cooldown is refused too: the bound holds for real kids as well.
    const rotated = await createProviderKey('rotated');
    server.publish([rotated.jwk, known.jwk]);
    expect(await gateway.refusal(`?token=${await signWith(rotated, 'bob')}`)).toEqual(refused('token kid is not in the JWKS'));
    expect(server.fetches).toBe(1);
    const { body } = await gateway.api('GET', '/api/stats');
    expect(body.connectionsRejected.auth).toBe(41);
  });

  it('keeps serving the cached keys while the JWKS endpoint fails, hangs or is gone', async () => {
    const key = await createProviderKey('k1');
    const server = await jwksServer([key.jwk]);
    const gateway = await jwksGateway(server, { timeoutMs: 200 });
    await connectClient(`${gateway.wsUrl}?token=${await signWith(key, 'alice')}`);
    for (const mode of ['fail', 'hang'] as const) {
      server.mode(mode);
      const before = server.fetches;
      // The unknown kid asks the endpoint, which fails; the cache survives it.
      expect(await gateway.refusal(`?token=${await signWith(key, 'mallory', { kid: 'new' })}`)).toEqual(refused('token kid is not in the JWKS'));
      expect(server.fetches).toBe(before + 1);
      expect((await connectClient(`${gateway.wsUrl}?token=${await signWith(key, 'alice')}`)).welcome.user).toBe('alice');
    }
    await server.close();
    expect((await connectClient(`${gateway.wsUrl}?token=${await signWith(key, 'alice')}`)).welcome.user).toBe('alice');
  });

  it('answers 401 with a clear error when no keys were ever fetched, and keeps running', async () => {
    const key = await createProviderKey('k1');
    const server = await jwksServer([key.jwk]);
    server.mode('fail');
    const gateway = await jwksGateway(server);
    const unavailable = refused('token signing keys are unavailable: the JWKS endpoint could not be read');
    expect(await gateway.refusal(`?token=${await signWith(key, 'alice')}`)).toEqual(unavailable);
    await server.close();
    expect(await gateway.refusal(`?token=${await signWith(key, 'alice')}`)).toEqual(unavailable);
    expect((await gateway.api('GET', '/api/stats')).status).toBe(200);
  });

  it('refuses a JWKS larger than 512 KiB instead of reading it whole', async () => {
    const key = await createProviderKey('k1');
    const server = await jwksServer([key.jwk, { kty: 'oct', k: 'a'.repeat(600 * 1024) }]);
    const gateway = await jwksGateway(server);
    expect(await gateway.refusal(`?token=${await signWith(key, 'alice')}`)).toEqual(refused('token signing keys are unavailable: the JWKS endpoint could not be read'));
  });

  it('comes back once the endpoint answers again', async () => {
    const key = await createProviderKey('k1');
    const server = await jwksServer([key.jwk]);
    server.mode('hang');
    const gateway = await jwksGateway(server, { timeoutMs: 200 });
    expect(await gateway.refusal(`?token=${await signWith(key, 'alice')}`)).toEqual(refused('token signing keys are unavailable: the JWKS endpoint could not be read'));
    server.mode('serve');
    expect((await connectClient(`${gateway.wsUrl}?token=${await signWith(key, 'alice')}`)).welcome.user).toBe('alice');
  });
});

describe('a production gateway with only a JWKS', () => {
  let running: GatewayProcess | undefined;
  afterEach(async () => {
    running?.child.kill('SIGTERM');
    await running?.exited;
    running = undefined;
  });

  it('starts without a JWT secret, verifies JWKS tokens, and logs a failed refresh without the token', async () => {
    const key = await createProviderKey('k1');
    const server = await jwksServer([key.jwk]);
    running = spawnGateway({ NODE_ENV: 'production', WSGW_API_KEY: 'k'.repeat(32), WSGW_CONSOLE: 'false', WSGW_JWT_JWKS_URL: server.url, WSGW_JWT_JWKS_COOLDOWN: '1s' });
    const port = await running.port;
    const token = await signWith(key, 'alice');
    expect((await connectClient(`ws://127.0.0.1:${port}/ws?token=${token}`)).welcome.user).toBe('alice');
    server.mode('fail');
    // Past the 1 s cooldown, so the unknown kid does make the gateway ask (and fail).
    await expect.poll(async () => {
      const unknown = await signWith(key, 'mallory', { kid: 'new' });
      await expectRefusal(`ws://127.0.0.1:${port}/ws?token=${unknown}`);
      return running!.output();
    }, { timeout: 5000, interval: 300 }).toContain('JWKS refresh failed');
    expect(running.output()).toContain(`JWKS fetch from ${server.url} failed: HTTP 503`);
    expect(running.output()).not.toContain(token.split('.')[2]!);
  });
});

describe('issuer and audience', () => {
  const issuer = 'https://idp.example/realms/wsgw';

  it('checks iss and aud on JWKS tokens', async () => {
    const key = await createProviderKey('k1');
    const server = await jwksServer([key.jwk]);
    const gateway = await jwksGateway(server, {}, { jwtIssuer: issuer, jwtAudience: ['wsgw', 'wsgw-staging'] });
    const ok = await signWith(key, 'alice', { iss: issuer, aud: 'wsgw-staging' });
    expect((await connectClient(`${gateway.wsUrl}?token=${ok}`)).welcome.user).toBe('alice');
    expect(await gateway.refusal(`?token=${await signWith(key, 'm', { iss: 'https://evil.example', aud: 'wsgw' })}`)).toEqual(refused('token issuer is not accepted'));
    expect(await gateway.refusal(`?token=${await signWith(key, 'm', { aud: 'wsgw' })}`)).toEqual(refused('token issuer is not accepted'));
    expect(await gateway.refusal(`?token=${await signWith(key, 'm', { iss: issuer, aud: 'other-app' })}`)).toEqual(refused('token audience is not accepted'));
    expect(await gateway.refusal(`?token=${await signWith(key, 'm', { iss: issuer })}`)).toEqual(refused('token audience is not accepted'));
  });

  it('checks iss and aud on tokens verified with a PEM public key', async () => {
    const key = await createProviderKey('pem', 'ES256');
    const pem = await exportSPKI(await importJWK(key.jwk, 'ES256') as CryptoKey);
    const gateway = await startTestGateway({ jwtSecret: undefined, jwtPublicKey: pem, jwtIssuer: issuer, jwtAudience: ['wsgw'] });
    expect((await connectClient(`${gateway.wsUrl}?token=${await signWith(key, 'alice', { iss: issuer, aud: 'wsgw' })}`)).welcome.user).toBe('alice');
    expect(await gateway.refusal(`?token=${await signWith(key, 'm', { iss: 'other', aud: 'wsgw' })}`)).toEqual(refused('token issuer is not accepted'));
    expect(await gateway.refusal(`?token=${await signWith(key, 'm', { iss: issuer, aud: 'x' })}`)).toEqual(refused('token audience is not accepted'));
  });

  it('checks iss and aud on tokens signed with the JWT secret too', async () => {
    const gateway = await startTestGateway({ jwtIssuer: issuer, jwtAudience: ['wsgw'] });
    const secret = new TextEncoder().encode(gateway.config.jwtSecret!);
    const sign = (claims: { iss?: string; aud?: string }) => {
      const token = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice');
      if (claims.iss) token.setIssuer(claims.iss);
      if (claims.aud) token.setAudience(claims.aud);
      return token.sign(secret);
    };
    expect((await connectClient(`${gateway.wsUrl}?token=${await sign({ iss: issuer, aud: 'wsgw' })}`)).welcome.user).toBe('alice');
    expect(await gateway.refusal(`?token=${await sign({ aud: 'wsgw' })}`)).toEqual(refused('token issuer is not accepted'));
    expect(await gateway.refusal(`?token=${await sign({ iss: issuer, aud: 'x' })}`)).toEqual(refused('token audience is not accepted'));
  });
});

describe('JWKS configuration', () => {
  const secrets = { NODE_ENV: 'production', WSGW_API_KEY: 'api-key', WSGW_CONSOLE: 'false' };

  it('counts a JWKS URL as the key source production needs, with the refresh bounds it reads', () => {
    const config = loadConfig({ ...secrets, WSGW_JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json', WSGW_JWT_JWKS_COOLDOWN: '10s' });
    expect(config.jwtSecret).toBeUndefined();
    expect(config.jwks).toEqual({ url: 'https://idp.example/.well-known/jwks.json', cooldownMs: 10_000, timeoutMs: 5000, maxAgeMs: 600_000 });
    expect(config.jwtAudience).toEqual([]);
    expect(loadConfig({ ...secrets, WSGW_JWT_JWKS_URL: 'https://idp.example/jwks', WSGW_JWT_ISSUER: 'https://idp.example', WSGW_JWT_AUDIENCE: 'a, b' })).toMatchObject({
      jwtIssuer: 'https://idp.example',
      jwtAudience: ['a', 'b'],
    });
  });

  it('refuses a JWKS URL that is not http(s), and a JWKS beside a PEM public key', () => {
    expect(() => loadConfig({ ...secrets, WSGW_JWT_JWKS_URL: 'file:///etc/jwks.json' })).toThrow('WSGW_JWT_JWKS_URL must be an http(s) URL');
    expect(() => loadConfig({ ...secrets, WSGW_JWT_JWKS_URL: 'not a url' })).toThrow('WSGW_JWT_JWKS_URL must be an http(s) URL');
    expect(() => loadConfig({ ...secrets, WSGW_JWT_JWKS_URL: 'https://idp.example/jwks', WSGW_JWT_PUBLIC_KEY: 'pem' })).toThrow('are exclusive');
    expect(() => loadConfig({ ...secrets, WSGW_JWT_JWKS_URL: 'https://idp.example/jwks', WSGW_JWT_JWKS_COOLDOWN: '10ms' })).toThrow('WSGW_JWT_JWKS_COOLDOWN must be at least 1000 ms');
  });
});
