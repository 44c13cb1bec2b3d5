import { describe, expect, it } from 'vitest';
import { connectClient } from '../testing/test-client.ts';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

describe('GET /ws', () => {
  it('welcomes a connection authenticated by header and registers it', async () => {
    const gateway = await startTestGateway({ nodeId: 'node-a' });
    const client = await gateway.connect('alice', ['news']);
    const stream = { epoch: expect.any(String), seq: 0 };
    expect(client.welcome).toEqual({
      type: 'welcome',
      connection: expect.any(String),
      user: 'alice',
      node: 'node-a',
      streams: { 'u:alice': stream, 't:news': stream, all: stream },
    });
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
