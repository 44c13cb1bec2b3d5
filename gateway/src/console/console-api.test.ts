import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CloseCode, type ConsoleSession, type PushFrame } from '../protocol.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();
const NATS = process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Two nodes on the machine's NATS under a prefix of their own, sharing secrets like nodes behind one balancer. */
async function twoNodes(): Promise<[TestGateway, TestGateway]> {
  const busPrefix = `wsgw-test-${randomUUID()}`;
  const common = { bus: NATS, busPrefix, nodeTimeoutMs: 1500, clusterWaitMs: 1000 };
  const a = await startTestGateway({ ...common, nodeId: 'node-a' });
  const b = await startTestGateway({
    ...common,
    nodeId: 'node-b',
    apiKey: a.config.apiKey,
    jwtSecret: a.config.jwtSecret,
    adminToken: a.config.adminToken,
  });
  // Each must have heard the other's announcement before cluster-wide answers are complete.
  for (const node of [a, b]) {
    await expect
      .poll(async () => (await node.api('GET', '/api/cluster')).body.nodes.length, { timeout: 5000 })
      .toBe(2);
  }
  // ...and have been on the bus long enough to trust it heard every node (membership settled).
  for (const node of [a, b]) {
    await expect.poll(async () => (await node.api('GET', '/api/users/nobody')).body.complete, { timeout: 5000 }).toBeUndefined();
  }
  return [a, b];
}

describe('console API authentication', () => {
  it('takes the operator token, and only it, on /api/console/*', async () => {
    const gateway = await startTestGateway();
    const session = await gateway.operator('GET', '/session');
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ node: gateway.config.nodeId, slowDeliveryThresholdMs: 250, pushRecordMs: 600_000 } satisfies Partial<ConsoleSession>);

    // The push API key does not open the console, and the operator token is not a push API key.
    const withApiKey = await gateway.api('GET', '/api/console/session');
    expect(withApiKey.status).toBe(401);
    expect(withApiKey.body).toEqual({ error: 'missing or invalid operator token' });
    const wrong = await gateway.api('GET', '/api/console/session', undefined, { authorization: `Bearer ${gateway.config.adminToken}x` });
    expect(wrong.status).toBe(401);
    const none = await gateway.api('GET', '/api/console/users/alice', undefined, { authorization: '' });
    expect(none.status).toBe(401);
    const pushWithAdmin = await gateway.api('POST', '/api/push', { to: { all: true }, data: 1 }, { authorization: `Bearer ${gateway.config.adminToken}` });
    expect(pushWithAdmin.status).toBe(401);
  });

  it('answers 404 for the console when it is turned off', async () => {
    const gateway = await startTestGateway({ adminToken: undefined });
    const answer = await gateway.api('GET', '/api/console/session', undefined, { authorization: 'Bearer anything-at-all-here' });
    expect(answer.status).toBe(404);
    expect(answer.body.error).toContain('WSGW_CONSOLE=false');
    expect((await fetch(`${gateway.http}/console/`)).status).toBe(404);
  });

  it('serves the trace URL template to the console', async () => {
    const template = 'http://grafana.local/explore?traceId={traceId}';
    const gateway = await startTestGateway({ traceUrlTemplate: template });
    expect((await gateway.operator('GET', '/session')).body.traceUrlTemplate).toBe(template);
  });
});

describe('console API', () => {
  it('sends a test push and answers with its recipients', async () => {
    const gateway = await startTestGateway();
    const clients = [await gateway.connect('alice', ['room']), await gateway.connect('bob', ['room'])];
    const answer = await gateway.operator('POST', '/push', { to: { tags: ['room'] }, data: { from: 'console' } });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ recipients: 2 });
    for (const client of clients) expect(((await client.waitForPushes(1))[0] as PushFrame).data).toEqual({ from: 'console' });
    const bad = await gateway.operator('POST', '/push', { to: {}, data: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBeTypeOf('string');
  });

  it('finds a user across nodes and disconnects it everywhere', async () => {
    const [a, b] = await twoNodes();
    const onA = await a.connect('carol', ['x']);
    const onB = await b.connect('carol');
    await b.connect('dave');

    const found = await a.operator('GET', '/users/carol');
    expect(found.status).toBe(200);
    expect(found.body.complete).toBeUndefined();
    expect(found.body.connections.map((c: { node: string }) => c.node).sort()).toEqual(['node-a', 'node-b']);

    const disconnected = await a.operator('POST', '/users/carol/disconnect');
    expect(disconnected.body).toEqual({ disconnected: 2 });
    expect((await onA.closed).code).toBe(CloseCode.Kicked);
    expect((await onB.closed).code).toBe(CloseCode.Kicked);
    await expect.poll(async () => (await a.operator('GET', '/users/carol')).body.connections.length).toBe(0);
    expect((await a.operator('GET', '/users/dave')).body.connections).toHaveLength(1);
  });

  it('disconnects one connection by id on whichever node holds it', async () => {
    const [a, b] = await twoNodes();
    const keep = await b.connect('erin');
    const cut = await b.connect('erin');
    const answer = await a.operator('POST', `/connections/${encodeURIComponent(cut.welcome.connection)}/disconnect`);
    expect(answer.body).toEqual({ disconnected: 1 });
    expect((await cut.closed).code).toBe(CloseCode.Kicked);
    expect((await a.operator('GET', '/users/erin')).body.connections.map((c: { id: string }) => c.id)).toEqual([keep.welcome.connection]);
    const unknown = await a.operator('POST', '/connections/no-such-connection/disconnect');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('no such connection');
  });
});
