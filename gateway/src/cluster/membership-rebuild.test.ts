import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type BrokerProcess } from '../testing/broker-process.ts';
import type { TestClient } from '../testing/test-client.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();
let broker: BrokerProcess | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

/** Peers leave the view after this long without an announcement (nodes announce every second). */
const NODE_TIMEOUT_MS = 1000;
/** Pushes sent while the cluster comes back, at most, and for how long at most. */
const MAX_PUSHES = 400;
const MAX_PUSHING_MS = 10_000;

async function clusterSize(node: TestGateway): Promise<number> {
  return (await node.api('GET', '/api/cluster')).body.nodes.length;
}

async function startCluster(url: string): Promise<TestGateway[]> {
  const busPrefix = `wsgw-test-${randomUUID()}`;
  const nodes: TestGateway[] = [];
  for (const nodeId of ['node-a', 'node-b', 'node-c']) {
    const shared = nodes[0] ? { apiKey: nodes[0].config.apiKey, jwtSecret: nodes[0].config.jwtSecret } : {};
    nodes.push(await startTestGateway({ nodeId, bus: url, busPrefix, nodeTimeoutMs: NODE_TIMEOUT_MS, clusterWaitMs: 500, ...shared }));
  }
  for (const node of nodes) await expect.poll(() => clusterSize(node), { timeout: 5000 }).toBe(3);
  return nodes;
}

describe.each(['nats', 'redis'] as const)('membership rebuilt after a %s outage', (kind) => {
  it('never answers a complete count lower than the connections that received the push', async () => {
    broker = await startBroker(kind);
    const nodes = await startCluster(broker.url);
    const clients: TestClient[] = await Promise.all(nodes.map((node) => node.connect('watcher')));

    // An outage longer than the node timeout: every node forgets its peers.
    await broker.stop();
    for (const node of nodes) await expect.poll(() => clusterSize(node), { timeout: 5000 }).toBe(1);
    await broker.restart();

    // Push through node a while the cluster finds itself again, until an answer counts all three.
    const answers: Array<{ id: string; status: number; body: { recipients: number; complete?: false } }> = [];
    const deadline = Date.now() + MAX_PUSHING_MS;
    for (let i = 0; i < MAX_PUSHES && Date.now() < deadline; i += 1) {
      const id = `rebuild-${i}`;
      const { status, body } = await nodes[0]!.push({ to: { users: ['watcher'] }, data: i, id });
      answers.push({ id, status, body });
      if (status === 202 && body.recipients === 3 && body.complete === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const last = answers.at(-1)!;
    expect(last.body).toEqual({ id: last.id, recipients: 3 });
    // The last push reached all three: every earlier delivery has arrived by the time it has.
    for (const client of clients) await client.waitFor((frame) => frame.type === 'push' && frame.id === last.id);

    const received = (id: string) => clients.filter((client) => client.pushes().some((frame) => frame.id === id)).length;
    const overclaimed = answers.filter(({ id, status, body }) => status === 202 && body.complete === undefined && body.recipients < received(id));
    expect(overclaimed).toEqual([]);
    // The window was exercised: some answers came before the count was whole, and said so.
    expect(answers.some(({ status, body }) => status === 202 && body.complete === false)).toBe(true);
  }, 30_000);
});
