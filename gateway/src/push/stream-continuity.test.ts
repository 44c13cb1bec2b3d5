import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../testing/broker-process.ts';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

describe('stream continuity on a node', () => {
  it('delivers to an open connection the pushes its node missed while its subscriptions were cut, once each', async () => {
    // Two users: node-a's keeps its rights; node-b's loses its subscriptions to the prefix (its
    // JetStream answers still come), so pushes are accepted and stored while node-b hears none.
    const busPrefix = `wsgw-test-${randomUUID()}`;
    const config = (nodeB: string) => `
accounts { WSGW { jetstream: enabled, users = [
  { user: a, password: a },
  { user: b, password: b, permissions: { subscribe: { allow: [${nodeB}] } } }
] } }
`;
    const broker = await startBroker('nats', { natsConfig: config('">"') });
    const url = (user: string) => broker.url.replace('nats://', `nats://${user}:${user}@`);
    try {
      const a = await startTestGateway({ nodeId: 'node-a', bus: url('a'), busPrefix, nodeTimeoutMs: 5000 });
      const b = await startTestGateway({ nodeId: 'node-b', bus: url('b'), busPrefix, nodeTimeoutMs: 5000, apiKey: a.config.apiKey, jwtSecret: a.config.jwtSecret });
      for (const node of [a, b]) await expect.poll(async () => (await fetch(`${node.http}/ready`)).status, { timeout: 10_000 }).toBe(200);
      const alice = await b.connect('alice');
      const push = async (data: string) => expect(await a.push({ to: { users: ['alice'] }, data })).toMatchObject({ status: 202 });
      await push('before');
      await alice.waitForPushes(1);

      await broker.reconfigure(config('"_INBOX.>"'));
      await expect.poll(async () => (await fetch(`${b.http}/ready`)).status, { timeout: 10_000 }).toBe(503);
      // The reason names the server, never the credentials in its URL.
      expect(await (await fetch(`${b.http}/ready`)).text()).not.toContain('b:b@');
      for (const data of ['missed-1', 'missed-2', 'missed-3']) await push(data);
      await broker.reconfigure(config('">"'));
      await expect.poll(async () => (await fetch(`${b.http}/ready`)).status, { timeout: 10_000 }).toBe(200);
      await push('after');

      // The connection never left: the node read the three back from the history and wrote them.
      await alice.waitForPushes(5, 10_000);
      const data = alice.pushes().map((frame) => frame.data);
      expect([...data].sort()).toEqual(['after', 'before', 'missed-1', 'missed-2', 'missed-3']);
      expect(alice.pushes().map((frame) => frame.pos!['u:alice']).sort()).toEqual([1, 2, 3, 4, 5]);
      // A marker after them: no copy of any is still on its way.
      await push('marker');
      await alice.waitFor((frame) => frame.type === 'push' && frame.data === 'marker');
      expect(alice.pushes()).toHaveLength(6);
    } finally {
      await broker.stop();
    }
  }, 40_000);
});
