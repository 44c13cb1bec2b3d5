import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type BrokerProcess } from '../testing/broker-process.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();
let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

async function metric(node: TestGateway, name: string): Promise<number> {
  const text = await (await fetch(`${node.http}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}

async function status(node: TestGateway, expected: number): Promise<void> {
  await expect.poll(async () => (await fetch(`${node.http}/ready`)).status, { timeout: 10_000, message: `${node.config.nodeId} /ready to answer ${expected}` }).toBe(expected);
}

describe.each(['nats', 'redis'] as const)('losing the %s server', (kind) => {
  it('answers 503 while it is gone and resumes delivery when it is back, without a restart', async () => {
    broker = await startBroker(kind);
    const busPrefix = `wsgw-test-${randomUUID()}`;
    const a = await startTestGateway({ nodeId: 'node-a', bus: broker.url, busPrefix });
    const b = await startTestGateway({ nodeId: 'node-b', bus: broker.url, busPrefix, apiKey: a.config.apiKey, jwtSecret: a.config.jwtSecret });
    await status(a, 200);
    // Ready means subscribed: the broker has confirmed b's subscriptions.
    await status(b, 200);
    const erin = await b.connect('erin');
    expect((await a.push({ to: { users: ['erin'] }, data: 'before' })).status).toBe(202);
    await erin.waitForPushes(1);

    await broker.stop();
    await status(a, 503);
    expect(await metric(a, 'wsgw_bus_connected')).toBe(0);
    const refused = await a.push({ to: { users: ['erin'] }, data: 'while down' });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatch(/^bus unavailable: /);
    const kept = await a.push({ to: { users: ['erin'] }, data: 'retried', id: 'during-outage' });
    expect(kept).toMatchObject({ status: 503, body: { id: 'during-outage', recipients: 0 } });

    await broker.restart();
    await status(a, 200);
    await status(b, 200);
    // NATS and Redis pub/sub are at-most-once: a push published before b has resubscribed is
    // gone. Push until one arrives, within a bound: each round pushes, so this is no wait for a condition.
    const deadline = Date.now() + 10_000;
    while (!erin.pushes().some((frame) => frame.data === 'after')) {
      if (Date.now() > deadline) throw new Error('delivery did not resume');
      expect((await a.push({ to: { users: ['erin'] }, data: 'after' })).status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(erin.pushes().filter((frame) => frame.data === 'while down')).toEqual([]);
    // The push refused during the outage goes out when retried under its id, once.
    expect(await a.push({ to: { users: ['erin'] }, data: 'retried', id: 'during-outage' })).toMatchObject({ status: 202, body: { id: 'during-outage' } });
    await erin.waitFor((frame) => frame.type === 'push' && frame.data === 'retried');
    // A trailing marker on the same path: a second copy of the retry would have come before it.
    expect((await a.push({ to: { users: ['erin'] }, data: 'marker' })).status).toBe(202);
    await erin.waitFor((frame) => frame.type === 'push' && frame.data === 'marker');
    expect(erin.pushes().filter((frame) => frame.data === 'retried')).toHaveLength(1);
    expect(await metric(a, 'wsgw_bus_connected')).toBe(1);
    expect(await metric(a, 'wsgw_bus_reconnects_total')).toBeGreaterThanOrEqual(1);
    expect(await metric(a, 'wsgw_bus_publish_errors_total')).toBe(2);
    expect(await metric(b, 'wsgw_bus_lag_seconds_count')).toBeGreaterThanOrEqual(2);
  }, 30_000);
});
