import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startSubscriptionFaultBroker, type SubscriptionFaultBroker } from '../testing/subscription-faults.ts';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();
let broker: SubscriptionFaultBroker | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

async function ready(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/ready`);
  return { status: response.status, body: await response.json() };
}

describe.each(['nats', 'redis'] as const)('a node that loses its %s subscriptions', (kind) => {
  it('is not ready and says why, then subscribes again by itself and delivers across the cluster', async () => {
    broker = await startSubscriptionFaultBroker(kind);
    const busPrefix = `wsgw-test-${randomUUID()}`;
    const a = await startTestGateway({ nodeId: 'node-a', bus: broker.url, busPrefix });
    const b = await startTestGateway({ nodeId: 'node-b', bus: broker.url, busPrefix, apiKey: a.config.apiKey, jwtSecret: a.config.jwtSecret });
    for (const node of [a, b]) await expect.poll(async () => (await ready(node.http)).status, { timeout: 5000 }).toBe(200);
    const onB = await b.connect('ivy');

    await broker.cutSubscriptions();
    await expect.poll(async () => (await ready(b.http)).status, { timeout: 5000 }).toBe(503);
    expect((await ready(b.http)).body).toEqual({ error: expect.stringMatching(/^bus unavailable: .*subscri/i) });

    await broker.restoreSubscriptions();
    for (const node of [a, b]) await expect.poll(async () => (await ready(node.http)).status, { timeout: 10_000 }).toBe(200);
    // At-most-once pub/sub: push until one arrives, within a bound.
    const deadline = Date.now() + 10_000;
    while (!onB.pushes().some((frame) => frame.data === 'back')) {
      if (Date.now() > deadline) throw new Error('no delivery after subscribing again');
      await a.push({ to: { users: ['ivy'] }, data: 'back' });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 30_000);
});
