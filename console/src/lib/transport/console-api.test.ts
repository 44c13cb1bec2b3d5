import { afterEach, describe, expect, it } from 'vitest';
import { sendJson as json, startJsonServer as startServer, type JsonServer } from '../testing/json-server.ts';
import { ConsoleApiError, createConsoleApi } from './console-api.ts';

let server: JsonServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('createConsoleApi', () => {
  it('sends the bearer token and calls each endpoint with its method and path', async () => {
    server = await startServer((req, res) => {
      if (req.url === '/api/console/push') return json(res, 202, { id: 'p1', recipients: 3, traceId: 'f'.repeat(32) });
      if (req.url?.endsWith('/disconnect')) return json(res, 200, { disconnected: 2 });
      if (req.url?.startsWith('/api/console/users/')) return json(res, 200, { user: 'a b/c', connections: [] });
      return json(res, 200, { node: 'n1', version: '0.1.0', slowDeliveryThresholdMs: 250 });
    });
    const api = createConsoleApi({ baseUrl: `${server.baseUrl}/`, token: 'tok' });
    expect(await api.session()).toEqual({ node: 'n1', version: '0.1.0', slowDeliveryThresholdMs: 250 });
    expect(await api.userConnections('a b/c')).toEqual({ user: 'a b/c', connections: [] });
    expect(await api.disconnectUser('alice')).toEqual({ disconnected: 2 });
    expect(await api.disconnectConnection('c-1')).toEqual({ disconnected: 2 });
    expect(await api.push({ to: { all: true }, data: { hello: 1 } })).toEqual({ id: 'p1', recipients: 3, traceId: 'f'.repeat(32) });

    expect(server.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/console/session',
      'GET /api/console/users/a%20b%2Fc',
      'POST /api/console/users/alice/disconnect',
      'POST /api/console/connections/c-1/disconnect',
      'POST /api/console/push',
    ]);
    expect(new Set(server.seen.map((s) => s.authorization))).toEqual(new Set(['Bearer tok']));
    const push = server.seen[4]!;
    expect(push.contentType).toBe('application/json');
    expect(JSON.parse(push.body)).toEqual({ to: { all: true }, data: { hello: 1 } });
  });

  it('throws ConsoleApiError with the status and the server’s error text', async () => {
    server = await startServer((req, res) =>
      req.url === '/api/console/session' ? json(res, 401, { error: 'missing or invalid operator token' }) : json(res, 404, { error: 'no such connection' }),
    );
    const api = createConsoleApi({ baseUrl: server.baseUrl, token: 'nope' });
    await expect(api.session()).rejects.toMatchObject({ name: 'ConsoleApiError', status: 401, message: 'missing or invalid operator token' });
    const error = await api.disconnectConnection('ghost').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsoleApiError);
    expect(error).toMatchObject({ status: 404, message: 'no such connection' });
  });

  it('names the status when the error body is not JSON', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html>bad gateway</html>');
    });
    await expect(createConsoleApi({ baseUrl: server.baseUrl, token: 't' }).session()).rejects.toMatchObject({ status: 502, message: 'HTTP 502' });
  });

  it('reports status 0 when the gateway does not answer', async () => {
    server = await startServer(() => {});
    const silent = createConsoleApi({ baseUrl: server.baseUrl, token: 't', timeoutMs: 100 });
    await expect(silent.session()).rejects.toMatchObject({ status: 0, message: 'no answer within 100 ms' });

    const { baseUrl, close } = await startServer(() => {});
    await close();
    await expect(createConsoleApi({ baseUrl, token: 't' }).session()).rejects.toMatchObject({ status: 0 });
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const api = createConsoleApi({
      token: 't',
      fetchImpl: async (input) => {
        calls.push(input);
        return new Response(JSON.stringify({ user: 'u', connections: [] }), { status: 200 });
      },
    });
    expect(await api.userConnections('u')).toEqual({ user: 'u', connections: [] });
    expect(calls).toEqual(['/api/console/users/u']);
  });
});
