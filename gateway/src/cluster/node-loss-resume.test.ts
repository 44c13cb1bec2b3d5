import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { mintToken } from '../auth/token-minter.ts';
import { spawnGateway, type GatewayProcess } from '../testing/gateway-process.ts';
import { connectResumingClient, type ResumingClient } from '../testing/resuming-client.ts';

// The servers this machine runs; each run uses its own prefix.
const SERVERS = {
  nats: process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
  redis: process.env.WSGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

const USERS = 30;
const NODES = ['node-a', 'node-b', 'node-c'];
/** Pushes per second, and for how long before and after the kill, ms. */
const RATE = 50;
const BEFORE_KILL_MS = 1000;
const AFTER_KILL_MS = 1500;

const running: GatewayProcess[] = [];
const clients: ResumingClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const gateway of running.splice(0)) {
    if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGKILL');
    await gateway.exited;
  }
});

interface Accepted {
  id: string;
  user: string;
}

describe.each(Object.entries(SERVERS))('a node killed with SIGKILL (%s)', (kind, bus) => {
  it('loses nothing: its clients reconnect to the others and resume every push accepted while they were away', async () => {
    const secrets = { WSGW_API_KEY: randomBytes(24).toString('base64url'), WSGW_JWT_SECRET: randomBytes(32).toString('base64url') };
    const env = (node: string) => ({
      NODE_ENV: 'production',
      ...secrets,
      WSGW_NODE_ID: node,
      WSGW_BUS: bus,
      WSGW_BUS_PREFIX: `wsgw-test-${randomUUID()}`,
      WSGW_CONSOLE: 'false',
      WSGW_LOG_LEVEL: 'info',
      WSGW_NODE_TIMEOUT_MS: '1500',
    });
    const prefix = env('x').WSGW_BUS_PREFIX;
    const gateways = NODES.map((node) => spawnGateway({ ...env(node), WSGW_BUS_PREFIX: prefix }));
    running.push(...gateways);
    const ports = await Promise.all(gateways.map((gateway) => gateway.port));
    const http = ports.map((port) => `http://127.0.0.1:${port}`);
    for (const url of http) await expect.poll(async () => (await fetch(`${url}/ready`)).status, { timeout: 10_000 }).toBe(200);
    const ws = ports.map((port) => `ws://127.0.0.1:${port}/ws`);

    // Each user holds a connection on every node; those of node-c move on to node-a, then node-b.
    const users = Array.from({ length: USERS }, (_, i) => `user-${i}`);
    for (const user of users) {
      const token = await mintToken({ secret: secrets.WSGW_JWT_SECRET, user });
      for (let node = 0; node < NODES.length; node += 1) {
        // Away for a while, as a real client backing off is: pushes accepted meanwhile must be replayed.
        clients.push(await connectResumingClient({ user, token, urls: [ws[node]!, ...ws.filter((_, i) => i !== node && i !== 2)], reconnectDelayMs: 400 }));
      }
    }

    // Numbered pushes to one user at a time, through the nodes that stay.
    const accepted: Accepted[] = [];
    let n = 0;
    const push = async () => {
      const user = users[n % USERS]!;
      const body = { to: { users: [user] }, data: { n: n++ } };
      const response = await fetch(`${http[n % 2]}/api/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secrets.WSGW_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status === 202) accepted.push({ id: ((await response.json()) as { id: string }).id, user });
    };
    const publishFor = async (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        await push();
        await new Promise((resolve) => setTimeout(resolve, 1000 / RATE));
      }
    };
    await publishFor(BEFORE_KILL_MS);
    gateways[2]!.child.kill('SIGKILL');
    await gateways[2]!.exited;
    await publishFor(AFTER_KILL_MS);
    const moved = clients.filter((_, i) => i % NODES.length === 2);
    expect(accepted.length).toBeGreaterThan((BEFORE_KILL_MS / 1000) * RATE * 0.5);

    // Every connection, the moved ones across both of theirs, ends up with every push to its user, once.
    const expected = (user: string) => accepted.filter((push) => push.user === user).map((push) => push.id).sort();
    await expect
      .poll(() => clients.filter((client) => client.pushes.length < expected(client.user).length).length, { timeout: 15_000, interval: 100 })
      .toBe(0);
    for (const client of clients) {
      const ids = client.pushes.map((push) => push.id);
      expect(ids.sort(), `${client.user} on ${client.node}`).toEqual(expected(client.user));
    }
    for (const client of moved) {
      expect(client.connections).toBe(2);
      expect(client.node).not.toBe('node-c');
      // Its resume said every stream was recovered, and replayed what was missed.
      expect(client.resumes).toHaveLength(1);
      for (const recovery of Object.values(client.resumes[0]!.streams)) expect(recovery.recovered).toBe(true);
    }
    const replayed = moved.reduce((sum, client) => sum + Object.values(client.resumes[0]!.streams).reduce((s, r) => s + r.replayed, 0), 0);
    expect(replayed, `${kind}: pushes replayed to the moved clients`).toBeGreaterThan(0);
  }, 60_000);
});
