import { useTestGateways, type TestGateway } from '@wsgw/gateway/testing';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWsgwClient, type WsgwClient, type WsgwClientOptions } from './index.ts';
import { recordClient } from './testing/client-recorder.ts';

const startTestGateway = useTestGateways();
const clients: WsgwClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

/** A client on the gateway, with ws as its WebSocket and no backoff wait unless told. */
function clientOf(gateway: TestGateway, options: Partial<WsgwClientOptions>) {
  const client = createWsgwClient({ url: gateway.wsUrl, WebSocket, random: () => 0, ...options });
  clients.push(client);
  return { client, log: recordClient(client) };
}

const stats = async (gateway: TestGateway) => (await gateway.api('GET', '/api/stats')).body;
const connectionsOf = (gateway: TestGateway) => [...gateway.server.hub.connections()];

describe('the client against a gateway', () => {
  it('connects with a token, receives a push and acks it', async () => {
    const gateway = await startTestGateway();
    const { log } = clientOf(gateway, { token: await gateway.token('alice') });
    const open = await log.waitForState((change) => change.state === 'open');
    expect(open).toMatchObject({ state: 'open', welcome: { type: 'welcome', user: 'alice' } });
    expect(log.states.map((change) => change.state)).toEqual(['connecting', 'open']);

    const { body } = await gateway.push({ to: { users: ['alice'] }, data: { hello: 'world' } });
    const [push] = await log.waitForPushes(1);
    expect(push).toMatchObject({ id: body.id, data: { hello: 'world' } });
    expect(push!.ts).toBeGreaterThan(0);
    await expect.poll(async () => (await stats(gateway)).acks).toBe(1);
  });

  it('acks only when told with autoAck off, through push.ack() or client.ack(id)', async () => {
    const gateway = await startTestGateway();
    const { client, log } = clientOf(gateway, { token: await gateway.token('bob'), autoAck: false });
    await log.waitForState((change) => change.state === 'open');
    for (const data of [1, 2, 3]) await gateway.push({ to: { users: ['bob'] }, data });
    const [first, second, third] = await log.waitForPushes(3);

    // Acks reach the gateway in the order sent: with 1 counted after acking the second, the first
    // and the second were not acked on arrival.
    expect(second!.ack()).toBe(true);
    await expect.poll(async () => (await stats(gateway)).acks).toBe(1);
    expect(client.ack(third!.id)).toBe(true);
    expect(first!.ack()).toBe(true);
    await expect.poll(async () => (await stats(gateway)).acks).toBe(3);
  });

  it('reports a push listener that throws as an error, and still runs the others and acks', async () => {
    const gateway = await startTestGateway();
    const { client, log } = clientOf(gateway, { token: await gateway.token('kate') });
    client.on('push', () => {
      throw new Error('listener bug');
    });
    await log.waitForState((change) => change.state === 'open');
    await gateway.push({ to: { users: ['kate'] }, data: 1 });
    await log.waitForPushes(1);
    expect(log.errors.map((error) => error.message)).toEqual(['listener bug']);
    await expect.poll(async () => (await stats(gateway)).acks).toBe(1);
  });

  it('calls the token provider before every attempt and reconnects after the socket is cut', async () => {
    const gateway = await startTestGateway();
    const asked: Array<{ retry: number; lastReason?: unknown }> = [];
    const { log } = clientOf(gateway, {
      tokenProvider: (request) => {
        asked.push(request);
        return gateway.token('carol');
      },
    });
    await log.waitForState((change) => change.state === 'open');
    connectionsOf(gateway)[0]!.ws.terminate();

    await log.waitForStateCount('open', 2);
    expect(log.states.map((change) => change.state)).toEqual(['connecting', 'open', 'reconnecting', 'connecting', 'open']);
    expect(log.states[2]).toMatchObject({ reason: { type: 'close', code: 1006, opened: true }, retry: 1, delayMs: 0 });
    expect(asked).toEqual([{ retry: 0 }, { retry: 1, lastReason: { type: 'close', code: 1006, text: '', opened: true } }]);

    // The new connection delivers.
    await gateway.push({ to: { users: ['carol'] }, data: 'again' });
    expect((await log.waitForPushes(1))[0]!.data).toBe('again');
  });

  it('reports the backoff delays, growing while attempts fail and reset once a connection opened', async () => {
    const gateway = await startTestGateway();
    const { client, log } = clientOf(gateway, { token: await gateway.token('dave'), random: () => 0.01 });
    await log.waitForState((change) => change.state === 'open');
    connectionsOf(gateway)[0]!.ws.terminate();
    await log.waitForStateCount('open', 2);
    // Gone for good: every attempt now fails to connect.
    await gateway.close();
    await log.waitForStateCount('reconnecting', 5);
    client.close();

    const delays = log.states.flatMap((change) => (change.state === 'reconnecting' ? [[change.retry, change.delayMs]] : []));
    // 0.01 of the ceiling: 500 ms after a connection that opened, then doubling while attempts fail.
    expect(delays).toEqual([[1, 5], [1, 5], [2, 10], [3, 20], [4, 40]]);
    expect(log.states.at(-1)).toEqual({ state: 'closed', reason: { type: 'client' } });
  });
});

describe('when the client stops for good', () => {
  /**
   * With no backoff wait a retry would ask the token provider within a timer tick; a marker
   * connection opened and welcomed afterwards takes far longer, so the provider asked once by then
   * means no retry.
   */
  async function expectNoRetry(gateway: TestGateway, asked: () => number) {
    await gateway.connect('marker');
    expect(asked()).toBe(1);
  }

  async function clientThatStops(gateway: TestGateway, user: string, token?: string) {
    let asked = 0;
    const { client, log } = clientOf(gateway, {
      tokenProvider: async () => {
        asked += 1;
        return token ?? (await gateway.token(user));
      },
    });
    return { client, log, asked: () => asked };
  }

  it('does not retry after a kick (4001)', async () => {
    const gateway = await startTestGateway();
    const { log, asked } = await clientThatStops(gateway, 'erin');
    const open = await log.waitForState((change) => change.state === 'open');
    const id = open.state === 'open' ? open.welcome.connection : '';
    expect((await gateway.api('POST', `/api/connections/${id}/disconnect`)).status).toBe(200);
    const closed = await log.waitForState((change) => change.state === 'closed');
    expect(closed).toEqual({ state: 'closed', reason: { type: 'close', code: 4001, text: 'disconnected by the server', opened: true } });
    await expectNoRetry(gateway, asked);
  });

  it('does not retry after a policy violation (1008)', async () => {
    const gateway = await startTestGateway();
    const { log, asked } = await clientThatStops(gateway, 'frank');
    await log.waitForState((change) => change.state === 'open');
    gateway.server.hub.close(connectionsOf(gateway)[0]!, 1008, 'policy', 'inbound rate limit exceeded');
    const closed = await log.waitForState((change) => change.state === 'closed');
    expect(closed).toMatchObject({ reason: { type: 'close', code: 1008, text: 'inbound rate limit exceeded' } });
    await expectNoRetry(gateway, asked);
  });

  it('does not retry after the upgrade is refused with 401', async () => {
    const gateway = await startTestGateway();
    const { log, asked } = await clientThatStops(gateway, 'grace', 'not-a-token');
    const closed = await log.waitForState((change) => change.state === 'closed');
    expect(closed).toEqual({ state: 'closed', reason: { type: 'refused', status: 401 } });
    expect(log.states.map((change) => change.state)).toEqual(['connecting', 'closed']);
    await expectNoRetry(gateway, asked);
  });

  it('retries after another refusal (the per-user limit, 429)', async () => {
    const gateway = await startTestGateway({ maxConnectionsPerUser: 1 });
    const holder = await gateway.connect('heidi');
    const { log } = clientOf(gateway, { token: await gateway.token('heidi') });
    const retry = await log.waitForState((change) => change.state === 'reconnecting');
    expect(retry).toMatchObject({ reason: { type: 'refused', status: 429 } });
    await holder.close();
    await log.waitForState((change) => change.state === 'open');
  });

  it('stops when the token provider has no token', async () => {
    const gateway = await startTestGateway();
    const { log } = clientOf(gateway, { tokenProvider: () => null });
    expect(await log.waitForState((change) => change.state === 'closed')).toEqual({ state: 'closed', reason: { type: 'no-token' } });
  });

  it('closes for good on close(): no reconnect, the gateway sees a normal close', async () => {
    const gateway = await startTestGateway();
    const { client, log } = clientOf(gateway, { token: await gateway.token('ivan') });
    await log.waitForState((change) => change.state === 'open');
    client.close();
    expect(client.state).toBe('closed');
    await expect.poll(async () => (await stats(gateway)).connectionsClosed.normal).toBe(1);
    expect(log.states.map((change) => change.state)).toEqual(['connecting', 'open', 'closed']);
  });
});
