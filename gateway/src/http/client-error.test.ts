import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { rawHttp } from '../testing/raw-http.ts';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

const malformed = { status: 400, error: 'malformed HTTP request' };

/** Requests Node's HTTP parser or the Hono adapter refuses before any route sees them. */
const cases: Array<{ name: string; request: string; status: number; error: string }> = [
  { name: 'a 100 KB header', request: `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(100_000)}\r\n\r\n`, status: 431, error: 'request headers too large' },
  { name: 'a 100 KB URL', request: `GET /ws?token=${'t'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, status: 431, error: 'request headers too large' },
  { name: 'a bad chunk size', request: 'POST /api/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n', ...malformed },
  { name: 'an invalid Content-Length', request: 'POST /ws HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n{}', ...malformed },
  { name: 'NUL in a header', request: 'GET /health HTTP/1.1\r\nHost: x\r\nX-Note: a\0b\r\n\r\n', ...malformed },
  { name: 'a header name with a space', request: 'GET /health HTTP/1.1\r\nHost: x\r\nX Note: a\r\n\r\n', ...malformed },
  { name: 'an invalid HTTP version', request: 'GET /health HTTP/9.9\r\nHost: x\r\n\r\n', ...malformed },
  { name: 'bytes that are not HTTP', request: '\u0016\u0003\u0001\u0000\u00a5\u0001\r\n\r\n', ...malformed },
  { name: 'no Host', request: 'GET /health HTTP/1.1\r\n\r\n', status: 400, error: 'missing host header' },
  { name: 'no Host in HTTP/1.0', request: 'GET /ws HTTP/1.0\r\n\r\n', status: 400, error: 'missing host header' },
  { name: 'a Host with a space', request: 'GET /health HTTP/1.1\r\nHost: a b/c\r\n\r\n', status: 400, error: 'invalid Host header or request target' },
  { name: 'a Host with a user', request: 'GET /ws HTTP/1.1\r\nHost: evil@x\r\n\r\n', status: 400, error: 'invalid host header' },
];

describe('malformed HTTP requests', () => {
  it.each(cases)('answers $name with $status and a JSON error', async ({ request, status, error }) => {
    const gateway = await startTestGateway();
    const answer = await rawHttp(Number(new URL(gateway.http).port), request.replace('{key}', gateway.config.apiKey));
    expect({ status: answer.status, type: answer.headers['content-type'], body: JSON.parse(answer.body) as unknown }).toEqual({
      status,
      type: expect.stringMatching(/^application\/json/),
      body: { error },
    });
    expect((await fetch(`${gateway.http}/health`)).status).toBe(200);
  });

  it('answers a malformed request that follows a good one on the same connection', async () => {
    const gateway = await startTestGateway();
    const answers = await exchange(Number(new URL(gateway.http).port), 'GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nX-Note: a\0b\r\n\r\n');
    expect(answers).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\{"status":"ok"\}HTTP\/1\.1 400 Bad Request\r\n[^]*\r\n\r\n\{"error":"malformed HTTP request"\}$/);
  });
});

/** Everything the server sends on one connection until it closes it. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}
