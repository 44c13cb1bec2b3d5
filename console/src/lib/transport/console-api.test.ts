import { createServer, type Server } from 'node:net';
import { useTestGateways } from '@wsgw/gateway/testing';
import { describe, expect, it } from 'vitest';
import { ConsoleApiError, createConsoleApi } from './console-api.ts';

const startGateway = useTestGateways();

/** A TCP listener that accepts and never answers: a gateway that hangs. */
async function silentListener(): Promise<{ baseUrl: string; server: Server }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { baseUrl: `http://127.0.0.1:${port}`, server };
}

describe('createConsoleApi against a gateway', () => {
  it('reads the session, finds a user, pushes and disconnects with the operator token', async () => {
    const gateway = await startGateway();
    const [one, two] = [await gateway.connect('a b/c'), await gateway.connect('a b/c')];
    const api = createConsoleApi({ baseUrl: `${gateway.http}/`, token: gateway.config.adminToken! });

    expect(await api.session()).toMatchObject({ node: gateway.config.nodeId, slowDeliveryThresholdMs: 250 });
    const found = await api.userConnections('a b/c');
    expect(found.user).toBe('a b/c');
    expect(found.connections.map((c) => c.id).sort()).toEqual([one!.welcome.connection, two!.welcome.connection].sort());

    const pushed = await api.push({ to: { users: ['a b/c'] }, data: { hello: 1 } });
    expect(pushed.recipients).toBe(2);
    expect((await one!.waitForPushes(1))[0]).toMatchObject({ id: pushed.id, data: { hello: 1 } });

    expect(await api.disconnectConnection(one!.welcome.connection)).toEqual({ disconnected: 1 });
    expect((await one!.closed).code).toBe(4001);
    expect(await api.disconnectUser('a b/c')).toEqual({ disconnected: 1 });
    expect((await two!.closed).code).toBe(4001);
  });

  it('inspects a push and a user’s pushes, ids escaped in the path', async () => {
    const gateway = await startGateway();
    const client = await gateway.connect('a b/c');
    const api = createConsoleApi({ baseUrl: gateway.http, token: gateway.config.adminToken! });
    const { body } = await gateway.push({ to: { users: ['a b/c'] }, data: 1, id: 'id with/slash' });
    expect(body.id).toBe('id with/slash');
    await client.waitForPushes(1);

    const inspection = await api.pushInspection('id with/slash');
    expect(inspection).toMatchObject({ id: 'id with/slash', acceptedBy: gateway.config.nodeId, to: { users: ['a b/c'] } });
    expect(inspection.nodes.flatMap((n) => n.connections).map((c) => c.user)).toEqual(['a b/c']);
    const recent = await api.userPushes('a b/c');
    expect(recent.user).toBe('a b/c');
    expect(recent.pushes.map((p) => p.id)).toEqual(['id with/slash']);
    await expect(api.pushInspection('never-pushed')).rejects.toMatchObject({ name: 'ConsoleApiError', status: 404 });
  });

  it('throws ConsoleApiError with the status and the gateway’s error text', async () => {
    const gateway = await startGateway();
    const wrong = createConsoleApi({ baseUrl: gateway.http, token: 'not-the-operator-token' });
    await expect(wrong.session()).rejects.toMatchObject({ name: 'ConsoleApiError', status: 401, message: 'missing or invalid operator token' });
    const api = createConsoleApi({ baseUrl: gateway.http, token: gateway.config.adminToken! });
    const missing = await api.disconnectConnection('ghost').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConsoleApiError);
    expect(missing).toMatchObject({ status: 404, message: 'no such connection' });
    await expect(api.push({ to: {}, data: 1 })).rejects.toMatchObject({ status: 400 });
  });

  it('reports status 0 when nothing answers in time, or nothing listens', async () => {
    const { baseUrl, server } = await silentListener();
    try {
      await expect(createConsoleApi({ baseUrl, token: 't', timeoutMs: 100 }).session()).rejects.toMatchObject({ status: 0, message: 'no answer within 100 ms' });
    } finally {
      server.close();
    }
    await expect(createConsoleApi({ baseUrl, token: 't' }).session()).rejects.toMatchObject({ status: 0 });
  });
});
