import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { rawHttp } from '../testing/raw-http.ts';
import { connectClient } from '../testing/test-client.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

const hs256 = () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' });
const key = (secret: string) => new TextEncoder().encode(secret);
const base64url = (text: string) => Buffer.from(text).toString('base64url');

/** An HS256 token over exactly this payload text, for claims jose would re-encode (lone surrogates). */
function signRaw(payload: string, secret: string): string {
  const signed = `${base64url('{"alg":"HS256"}')}.${base64url(payload)}`;
  return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}

const TWICE = 'token given twice: send it in the Authorization header or the token query parameter, not both';
const HANDSHAKE = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

/** A handshake written byte for byte: for what no WebSocket client sends (NUL, repeated headers). */
async function rawUpgrade(gateway: TestGateway, target: string, headers = '') {
  const port = Number(new URL(gateway.http).port);
  const answer = await rawHttp(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${HANDSHAKE}${headers}\r\n`);
  return { status: answer.status, body: answer.body === '' ? undefined : JSON.parse(answer.body) };
}

/** Nothing was registered, and every refusal but the listed ones counted as `auth`. */
async function expectNothingRegistered(gateway: TestGateway, authRefusals: number) {
  const { body } = await gateway.api('GET', '/api/stats');
  expect(body.connections).toBe(0);
  expect(body.connectionsOpened).toBe(0);
  expect(body.connectionsRejected.auth).toBe(authRefusals);
}

describe('connection tokens', () => {
  it('verifies RS256 and ES256 tokens with a PEM public key, and refuses algorithm confusion', async () => {
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
      expect(await gateway.refusal(`?token=${confused}`)).toEqual({ status: 401, body: { error: 'token algorithm is not accepted' } });
      await client.close();
    }
  });

  it.each([
    ['no token', async () => '', 'missing token'],
    ['alg none', async () => new UnsecuredJWT({}).setSubject('mallory').encode(), 'token algorithm is not accepted'],
    ['a wrong signature', async () => hs256().setSubject('mallory').sign(key('x'.repeat(32))), 'token signature is invalid'],
    ['an expired token', async (secret: string) => hs256().setSubject('alice').setExpirationTime(Math.floor(Date.now() / 1000) - 10).sign(key(secret)), 'token expired'],
    ['a token not valid yet', async (secret: string) => hs256().setSubject('alice').setNotBefore('10m').sign(key(secret)), 'token claim nbf is not valid yet or invalid'],
    ['a missing sub', async (secret: string) => hs256().setExpirationTime('1m').sign(key(secret)), 'token has no sub claim'],
    ['tags that are not strings', async (secret: string) => new SignJWT({ tags: [1] }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').sign(key(secret)), 'token tags claim must be an array of non-empty strings'],
    ['garbage', async () => 'not.a.jwt', 'token is malformed'],
    ['garbage base64', async () => '!!!.@@@.###', 'token is malformed'],
    ['base64 that is not JSON', async () => `${base64url('not json')}.${base64url('not json')}.${base64url('sig')}`, 'token is malformed'],
    ['a NUL in the token', async (secret: string) => `${await hs256().setSubject('a').sign(key(secret))}\0`, 'token is malformed'],
    ['a sub that is an unpaired surrogate', async (secret: string) => signRaw('{"sub":"\\ud800"}', secret), 'token sub claim has control characters or unpaired surrogates'],
    ['a sub with a NUL', async (secret: string) => signRaw('{"sub":"ali\\u0000ce"}', secret), 'token sub claim has control characters or unpaired surrogates'],
    ['a tag that is an unpaired surrogate', async (secret: string) => signRaw('{"sub":"a","tags":["\\udfff"]}', secret), 'token tags claim has control characters or unpaired surrogates'],
    ['an 8 KB token with a valid shape', async () => hs256().setSubject('mallory').setJti('j'.repeat(8000)).sign(key('y'.repeat(32))), 'token signature is invalid'],
  ])('answers 401 with a JSON error for %s, before any upgrade', async (_name, makeToken, error) => {
    const gateway = await startTestGateway();
    const token = await makeToken(gateway.config.jwtSecret!);
    const refusal = await gateway.refusal(token ? `?token=${encodeURIComponent(token)}` : '');
    expect(refusal).toEqual({ status: 401, body: { error } });
    await expectNothingRegistered(gateway, 1);
  });

  it('answers 431 with a JSON error to a 100 KB token, in the query or the header', async () => {
    const gateway = await startTestGateway();
    const huge = `${base64url('{"alg":"HS256"}')}.${'a'.repeat(100_000)}.sig`;
    const tooLarge = { status: 431, body: { error: 'request headers too large' } };
    expect(await rawUpgrade(gateway, `/ws?token=${huge}`)).toEqual(tooLarge);
    expect(await rawUpgrade(gateway, '/ws', `Authorization: Bearer ${huge}\r\n`)).toEqual(tooLarge);
    expect(await gateway.refusal(`?token=${huge}`)).toEqual(tooLarge);
    // Refused by the HTTP parser, before the gate: no rejection is counted.
    await expectNothingRegistered(gateway, 0);
  });

  it('refuses a request that carries a token twice, whichever of them is valid', async () => {
    const gateway = await startTestGateway();
    const valid = await gateway.token('alice');
    const other = await gateway.token('bob');
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const twice = { status: 401, body: { error: TWICE } };
    expect(await gateway.refusal('?token=x.y.z', bearer(valid))).toEqual(twice);
    expect(await gateway.refusal(`?token=${valid}`, bearer('x.y.z'))).toEqual(twice);
    expect(await gateway.refusal(`?token=${other}`, bearer(valid))).toEqual(twice);
    expect(await gateway.refusal(`?token=${valid}`, bearer(valid))).toEqual(twice);
    expect(await gateway.refusal('?token=', bearer(valid))).toEqual(twice);
    const once = { status: 401, body: { error: 'token given twice: send one token' } };
    expect(await gateway.refusal(`?token=${valid}&token=${other}`)).toEqual(once);
    expect(await rawUpgrade(gateway, '/ws', `Authorization: Bearer ${valid}\r\nAuthorization: Bearer x.y.z\r\n`)).toEqual(once);
    await expectNothingRegistered(gateway, 7);
    // Either way alone is still welcome.
    expect((await connectClient(`${gateway.wsUrl}?token=${valid}`)).welcome.user).toBe('alice');
    expect((await connectClient(gateway.wsUrl, bearer(other))).welcome.user).toBe('bob');
  });

  it('answers tokens no WebSocket client would send with a JSON error', async () => {
    const gateway = await startTestGateway();
    const malformed = { status: 401, body: { error: 'token is malformed' } };
    expect(await rawUpgrade(gateway, '/ws?token=%E0%A4%A')).toEqual(malformed);
    expect(await rawUpgrade(gateway, '/ws?token=%ED%A0%80.e30.c2ln')).toEqual(malformed);
    expect(await rawUpgrade(gateway, '/ws', 'Authorization: Bearer a.b.c\r\n')).toEqual(malformed);
    expect(await rawUpgrade(gateway, '/ws', 'Authorization: Basic YTpi\r\n')).toEqual({ status: 401, body: { error: 'missing token' } });
    // A NUL in a header never reaches the gate: the HTTP parser refuses it.
    expect(await rawUpgrade(gateway, '/ws', 'Authorization: Bearer a\0b\r\n')).toEqual({ status: 400, body: { error: 'malformed HTTP request' } });
    await expectNothingRegistered(gateway, 4);
  });
});
