import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rawHttp } from '../testing/raw-http.ts';
import { connectClient } from '../testing/test-client.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

const KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
const VERSION = 'Sec-WebSocket-Version: 13\r\n';
const UPGRADE = 'Upgrade: websocket\r\nConnection: Upgrade\r\n';
const HOST = 'Host: 127.0.0.1\r\n';

interface HandshakeCase {
  name: string;
  /** The request without its token; `{token}` in it is replaced by a valid one. */
  request: string;
  status: number;
  error: string;
  headers?: Record<string, string>;
}

const badKey = 'missing or invalid Sec-WebSocket-Key header: expected the base64 of 16 bytes';
const badProtocols = 'invalid Sec-WebSocket-Protocol header: expected a comma-separated list of distinct tokens';
const notWebSocket = { status: 426, error: 'expected a WebSocket upgrade', headers: { upgrade: 'websocket' } };
const badVersion = {
  status: 426,
  error: 'unsupported WebSocket version: this server speaks version 13',
  headers: { 'sec-websocket-version': '13' },
};
const get = (headers: string) => `GET /ws?token={token} HTTP/1.1\r\n${headers}\r\n`;

/**
 * Upgrade requests with a valid token that ws would refuse, or that are not WebSocket upgrades at
 * all; plus requests to /ws that never were upgrades.
 */
const cases: HandshakeCase[] = [
  { name: 'a malformed URL', request: `GET http://[::1 HTTP/1.1\r\n${HOST}${UPGRADE}${KEY}${VERSION}\r\n`, status: 400, error: 'malformed request URL' },
  { name: 'another path', request: `GET /elsewhere?token={token} HTTP/1.1\r\n${HOST}${UPGRADE}${KEY}${VERSION}\r\n`, status: 404, error: 'not found' },
  { name: 'no Sec-WebSocket-Key', request: get(`${HOST}${UPGRADE}${VERSION}`), status: 400, error: badKey },
  { name: 'a short key', request: get(`${HOST}${UPGRADE}Sec-WebSocket-Key: abc\r\n${VERSION}`), status: 400, error: badKey },
  { name: 'a key of 15 bytes', request: get(`${HOST}${UPGRADE}Sec-WebSocket-Key: ${Buffer.alloc(15).toString('base64')}\r\n${VERSION}`), status: 400, error: badKey },
  { name: 'a key of 32 bytes', request: get(`${HOST}${UPGRADE}Sec-WebSocket-Key: ${Buffer.alloc(32).toString('base64')}\r\n${VERSION}`), status: 400, error: badKey },
  { name: 'two keys', request: get(`${HOST}${UPGRADE}${KEY}${KEY}${VERSION}`), status: 400, error: badKey },
  { name: 'no Sec-WebSocket-Version', request: get(`${HOST}${UPGRADE}${KEY}`), status: 400, error: 'missing Sec-WebSocket-Version header' },
  { name: 'version 12', request: get(`${HOST}${UPGRADE}${KEY}Sec-WebSocket-Version: 12\r\n`), ...badVersion },
  { name: 'version 8', request: get(`${HOST}${UPGRADE}${KEY}Sec-WebSocket-Version: 8\r\n`), ...badVersion },
  { name: 'a version that is not a number', request: get(`${HOST}${UPGRADE}${KEY}Sec-WebSocket-Version: x\r\n`), ...badVersion },
  { name: 'an empty subprotocol', request: get(`${HOST}${UPGRADE}${KEY}${VERSION}Sec-WebSocket-Protocol: a,,b\r\n`), status: 400, error: badProtocols },
  { name: 'a subprotocol with a space', request: get(`${HOST}${UPGRADE}${KEY}${VERSION}Sec-WebSocket-Protocol: a b\r\n`), status: 400, error: badProtocols },
  { name: 'a repeated subprotocol', request: get(`${HOST}${UPGRADE}${KEY}${VERSION}Sec-WebSocket-Protocol: a, a\r\n`), status: 400, error: badProtocols },
  { name: 'a subprotocol with a non-ASCII byte', request: get(`${HOST}${UPGRADE}${KEY}${VERSION}Sec-WebSocket-Protocol: a\u00a0\r\n`), status: 400, error: badProtocols },
  {
    name: 'a POST upgrade',
    request: `POST /ws?token={token} HTTP/1.1\r\n${HOST}${UPGRADE}${KEY}${VERSION}Content-Length: 0\r\n\r\n`,
    status: 405,
    error: 'method POST not allowed: a WebSocket upgrade is a GET',
    headers: { allow: 'GET' },
  },
  { name: 'Upgrade: h2c', request: get(`${HOST}Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n`), ...notWebSocket },
  { name: 'Upgrade: websocket, h2c', request: get(`${HOST}Upgrade: websocket, h2c\r\nConnection: Upgrade\r\n${KEY}${VERSION}`), ...notWebSocket },
  { name: 'no Host', request: get(`${UPGRADE}${KEY}${VERSION}`), status: 400, error: 'missing or invalid Host header' },
  { name: 'a Host with a space', request: get(`Host: a b\r\n${UPGRADE}${KEY}${VERSION}`), status: 400, error: 'missing or invalid Host header' },
  { name: 'a Host with a user', request: get(`Host: evil@127.0.0.1\r\n${UPGRADE}${KEY}${VERSION}`), status: 400, error: 'missing or invalid Host header' },
  { name: 'a Host with a path', request: get(`Host: 127.0.0.1/x\r\n${UPGRADE}${KEY}${VERSION}`), status: 400, error: 'missing or invalid Host header' },
  // Not upgrades for Node (no `Connection: Upgrade`): they reach the HTTP routes.
  { name: 'Upgrade: websocket without Connection: Upgrade', request: get(`${HOST}Upgrade: websocket\r\n${KEY}${VERSION}`), ...notWebSocket },
  { name: 'a plain GET', request: get(HOST), ...notWebSocket },
  {
    name: 'a plain POST',
    request: `POST /ws HTTP/1.1\r\n${HOST}Content-Length: 2\r\n\r\n{}`,
    status: 405,
    error: 'method POST not allowed: /ws takes a GET WebSocket upgrade',
    headers: { allow: 'GET' },
  },
  { name: 'a plain DELETE', request: `DELETE /ws HTTP/1.1\r\n${HOST}\r\n`, status: 405, error: 'method DELETE not allowed: /ws takes a GET WebSocket upgrade', headers: { allow: 'GET' } },
];

async function answer(gateway: TestGateway, request: string) {
  const port = Number(new URL(gateway.http).port);
  const { status, headers, body } = await rawHttp(port, request.replace('{token}', await gateway.token('alice')));
  return { status, contentType: headers['content-type'], body: JSON.parse(body) as unknown, headers };
}

describe('malformed WebSocket handshakes', () => {
  it.each(cases)('answers $name with $status and a JSON error, and upgrades nothing', async ({ request, status, error, headers = {} }) => {
    const gateway = await startTestGateway();
    const got = await answer(gateway, request);
    expect({ status: got.status, contentType: got.contentType, body: got.body }).toEqual({ status, contentType: expect.stringMatching(/^application\/json/), body: { error } });
    expect(got.headers).toMatchObject(headers);
    // The token was valid: only the handshake kept it out.
    const stats = (await gateway.api('GET', '/api/stats')).body;
    expect(stats.connectionsOpened).toBe(0);
    const client = await connectClient(`${gateway.wsUrl}?token=${await gateway.token('bob')}`);
    expect(client.welcome.user).toBe('bob');
    expect((await gateway.api('GET', '/api/stats')).body.connections).toBe(1);
  });

  it('upgrades a well-formed handshake offering subprotocols', async () => {
    const gateway = await startTestGateway();
    const ws = new WebSocket(`${gateway.wsUrl}?token=${await gateway.token('alice')}`, ['a', 'b']);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    expect(ws.protocol).toBe('a');
    ws.terminate();
  });
});
