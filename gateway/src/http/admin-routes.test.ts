import { describe, expect, it } from 'vitest';
import { CloseCode } from '../protocol.ts';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

describe('connection inspection and control', () => {
  it('lists a user\'s connections', async () => {
    const gateway = await startTestGateway();
    const before = Date.now();
    const a = await gateway.connect('alice', ['news']);
    const b = await gateway.connect('alice');
    const { status, body } = await gateway.api('GET', '/api/users/alice');
    expect(status).toBe(200);
    expect(body.user).toBe('alice');
    expect(body.connections.map((c: { id: string }) => c.id).sort()).toEqual([a.welcome.connection, b.welcome.connection].sort());
    for (const connection of body.connections) {
      expect(connection).toEqual({
        id: expect.any(String),
        tags: expect.any(Array),
        connectedAt: expect.any(Number),
        bufferedAmount: 0,
        remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        node: gateway.config.nodeId,
      });
      expect(connection.connectedAt).toBeGreaterThanOrEqual(before);
    }
    expect((await gateway.api('GET', '/api/users/nobody')).body).toEqual({ user: 'nobody', connections: [] });
  });

  it('reports stats', async () => {
    const gateway = await startTestGateway({ nodeId: 'stats-node' });
    const alice = await gateway.connect('alice', ['news', 'sport']);
    await gateway.connect('bob', ['news']);
    await gateway.push({ to: { users: ['alice'] }, data: 1 });
    await gateway.push({ to: { all: true }, data: 2 });
    await alice.waitForPushes(2);
    const { body } = await gateway.api('GET', '/api/stats');
    expect(body).toMatchObject({
      node: 'stats-node',
      connections: 2,
      users: 2,
      tags: 2,
      pushes: { user: 1, tag: 0, all: 1, total: 2, errors: 0 },
      deliveries: 3,
      drops: { slow_consumer: 0, closed: 0 },
      connectionsOpened: 2,
      uptime: expect.any(Number),
      memory: { rss: expect.any(Number), heapUsed: expect.any(Number), heapTotal: expect.any(Number) },
    });
  });

  it('disconnects a user\'s connections and a single connection with 4001', async () => {
    const gateway = await startTestGateway();
    const a1 = await gateway.connect('alice');
    const a2 = await gateway.connect('alice');
    const bob = await gateway.connect('bob');
    expect((await gateway.api('POST', '/api/users/alice/disconnect')).body).toEqual({ disconnected: 2 });
    for (const client of [a1, a2]) expect(await client.closed).toEqual({ code: CloseCode.Kicked, reason: 'disconnected by the server' });
    expect((await gateway.api('POST', `/api/connections/${bob.welcome.connection}/disconnect`)).body).toEqual({ disconnected: 1 });
    expect((await bob.closed).code).toBe(4001);
    expect(await gateway.api('POST', '/api/connections/nope/disconnect')).toMatchObject({ status: 404, body: { error: 'no such connection' } });
    const { body } = await gateway.api('GET', '/api/stats');
    expect(body.connections).toBe(0);
    expect(body.connectionsClosed.kicked).toBe(3);
  });

  it('serves /health and /ready, and /ready turns 503 while draining', async () => {
    const gateway = await startTestGateway();
    expect(await (await fetch(`${gateway.http}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${gateway.http}/ready`);
    expect(ready.status).toBe(200);
    const client = await gateway.connect('alice');
    const stopping = gateway.server.shutdown();
    const draining = await fetch(`${gateway.http}/ready`).catch(() => undefined);
    // The listener may already be closed; if it still answers, it must say it is not ready.
    if (draining) expect(draining.status).toBe(503);
    expect(await client.closed).toEqual({ code: CloseCode.GoingAway, reason: 'going away' });
    await stopping;
  });
});
