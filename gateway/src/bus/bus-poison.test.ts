import { randomUUID } from 'node:crypto';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import type { TestClient } from '../testing/test-client.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';
import { pushCases, signalCases, validPush, type PoisonCase } from './bus-poison-cases.ts';
import { natsSubjects } from './nats-subjects.ts';
import { redisChannels } from './redis-channels.ts';

const startTestGateway = useTestGateways();

const SERVERS = {
  nats: process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
  redis: process.env.WSGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** A raw publisher on the cluster's subjects, and a listener on its signal subject. */
interface RawBus {
  publish(subject: 'push' | 'signal', text: string, headers?: Record<string, string>): Promise<void>;
  /** Signals seen on the signal subject, as parsed JSON. */
  signals: unknown[];
  close(): Promise<void>;
}

/** The poison is on the same subject: what is not JSON is kept as its text. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** NATS routes pushes by stream: the poison goes on the subject of `stream`, which the nodes watch. */
async function rawNats(url: string, prefix: string, stream: string): Promise<RawBus> {
  const nc = await connect({ servers: url });
  const subjects = natsSubjects(prefix);
  const signals: unknown[] = [];
  // Signals to every node, and the answers sent to this publisher alone (it asks as `intruder`).
  for (const subject of [subjects.signal, subjects.directSignal('intruder')]) {
    nc.subscribe(subject, { callback: (_error, msg) => void signals.push(parsed(msg.string())) });
  }
  await nc.flush();
  return {
    async publish(subject, text, headers) {
      const native = headers ? natsHeaders() : undefined;
      for (const [key, value] of Object.entries(headers ?? {})) native!.set(key, value);
      nc.publish(subject === 'push' ? subjects.stream(stream) : subjects.signal, text, native ? { headers: native } : {});
      await nc.flush();
    },
    signals,
    close: () => nc.close(),
  };
}

/** On Redis a node hears a stream's pushes on the stream's channel: the poison goes to the victim's. */
async function rawRedis(url: string, prefix: string, stream: string): Promise<RawBus> {
  const publisher = createClient({ url });
  const subscriber = publisher.duplicate();
  await Promise.all([publisher.connect(), subscriber.connect()]);
  const signals: unknown[] = [];
  // Signals to every node, and the answers sent to this publisher alone (it asks as `intruder`).
  const channels = redisChannels(prefix);
  await subscriber.subscribe([channels.signal, channels.signalTo('intruder')], (text) => signals.push(parsed(text)));
  return {
    async publish(subject, text) {
      await publisher.publish(subject === 'push' ? redisChannels(prefix).stream(stream) : `${prefix}.${subject}`, text);
    },
    signals,
    close: async () => void (await Promise.allSettled([publisher.close(), subscriber.close()])),
  };
}

async function startCluster(bus: string, busPrefix: string): Promise<TestGateway[]> {
  const nodes: TestGateway[] = [];
  for (const nodeId of ['node-a', 'node-b', 'node-c']) {
    const shared = nodes[0] ? { apiKey: nodes[0].config.apiKey, jwtSecret: nodes[0].config.jwtSecret } : {};
    nodes.push(await startTestGateway({ nodeId, bus, busPrefix, nodeTimeoutMs: 1500, clusterWaitMs: 1000, ...shared }));
  }
  // Ready, each node hearing the other two, and past the membership settling time.
  for (const node of nodes) {
    await expect.poll(async () => (await fetch(`${node.http}/ready`)).status, { timeout: 5000 }).toBe(200);
    await expect.poll(async () => (await node.api('GET', '/api/cluster')).body.nodes.length, { timeout: 5000 }).toBe(3);
  }
  for (const node of nodes) await expect.poll(async () => (await node.api('GET', '/api/users/nobody')).body.complete, { timeout: 5000 }).toBeUndefined();
  return nodes;
}

async function invalidCounts(node: TestGateway): Promise<{ push: number; signal: number }> {
  const text = await (await fetch(`${node.http}/metrics`)).text();
  const read = (kind: string) => Number(new RegExp(`^wsgw_bus_invalid_messages_total\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
  return { push: read('push'), signal: read('signal') };
}

async function publishAll(raw: RawBus, subject: 'push' | 'signal', cases: PoisonCase[]): Promise<void> {
  for (const poison of cases) await raw.publish(subject, poison.text, poison.nativeHeaders);
}

describe.each(Object.entries(SERVERS))('poisoned messages on %s', (kind, url) => {
  it('are dropped and counted by every node, which stays ready and keeps delivering across the cluster', async () => {
    const busPrefix = `wsgw-test-${randomUUID()}`;
    const nodes = await startCluster(url, busPrefix);
    const clients: TestClient[] = await Promise.all(nodes.map((node) => node.connect('victim')));
    const raw = kind === 'nats' ? await rawNats(url, busPrefix, 'u:victim') : await rawRedis(url, busPrefix, 'u:victim');
    try {
      const pushes = pushCases('victim', kind === 'redis');
      const signals = signalCases('node-a');
      await publishAll(raw, 'push', pushes);
      await publishAll(raw, 'signal', signals);

      // Trailing markers, published after the poison on the same connection: a valid push from
      // the raw publisher, and a valid lookup every node answers.
      await raw.publish('push', JSON.stringify({ origin: 'intruder', push: validPush('raw-marker', 'victim'), headers: {} }));
      await raw.publish('signal', JSON.stringify({ origin: 'intruder', topic: 'users.ask', body: { query: 'marker', body: { user: 'victim' } } }));
      for (const client of clients) await client.waitFor((frame) => frame.type === 'push' && frame.id === 'raw-marker');
      const answered = () => raw.signals.filter((signal: any) => signal?.topic === 'users.answer' && signal.body?.query === 'marker').length;
      await expect.poll(answered, { timeout: 5000 }).toBe(3);

      // Nothing from the poison reached a client: the marker is each one's only push.
      for (const client of clients) expect(client.pushes().map((frame) => frame.id)).toEqual(['raw-marker']);
      for (const node of nodes) {
        expect(await invalidCounts(node)).toEqual({ push: pushes.length, signal: signals.length });
        expect((await fetch(`${node.http}/ready`)).status).toBe(200);
        expect((await node.api('GET', '/api/cluster')).body.nodes.map((entry: { node: string }) => entry.node)).toEqual(['node-a', 'node-b', 'node-c']);
      }

      // A push from every node still reaches every node, and its count says so.
      for (const [index, node] of nodes.entries()) {
        expect(await node.push({ to: { users: ['victim'] }, data: index, id: `after-${index}` })).toEqual({ status: 202, body: { id: `after-${index}`, recipients: 3 } });
      }
      for (const client of clients) await client.waitForPushes(4);
      for (const client of clients) expect(client.pushes().map((frame) => frame.data).slice(1).sort()).toEqual([0, 1, 2]);
      expect((await nodes[1]!.api('GET', '/api/users/victim')).body).toEqual({ user: 'victim', connections: expect.any(Array) });
      expect((await nodes[1]!.api('GET', '/api/users/victim')).body.connections).toHaveLength(3);

      // Shutdown is not held up by anything the poison left behind.
      const stopping = Date.now();
      await Promise.all(nodes.map((node) => node.server.shutdown()));
      expect(Date.now() - stopping).toBeLessThan(3000);
    } finally {
      await raw.close();
    }
  }, 30_000);
});
