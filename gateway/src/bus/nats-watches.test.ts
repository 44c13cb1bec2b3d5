import { randomUUID } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { NormalizedTarget } from '../push/push-envelope.ts';
import { removeNatsHistory } from '../testing/nats-history-cleanup.ts';
import { startSubscriptionFaultBroker } from '../testing/subscription-faults.ts';
import type { Bus, BusMessage } from './bus.ts';
import { connect } from '@nats-io/transport-node';
import { createNatsBus, WIDE_PUSH_BYTES, type NatsBusOptions } from './nats.ts';
import { natsSubjects } from './nats-subjects.ts';

const url = process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const prefixes = new Set<string>();
afterAll(() => removeNatsHistory(url, prefixes));

/** A real pino logger writing into memory: the messages it was given, in order. */
function memoryLogger() {
  const messages: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) messages.push(String((JSON.parse(line) as { msg: unknown }).msg));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), messages };
}

/**
 * Sends one message with a raw header block, as no NATS client would (clients check header names),
 * and resolves once the server has answered a PING behind it.
 */
async function publishRawHeaders(server: string, subject: string, headerBlock: string, body: string): Promise<void> {
  const { hostname, port } = new URL(server);
  const socket = connectTcp(Number(port), hostname);
  const length = Buffer.byteLength(headerBlock);
  try {
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      socket.on('error', reject);
      // The server speaks first (INFO); the message goes once it has.
      socket.once('data', () => {
        socket.write('CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n');
        socket.write(`HPUB ${subject} ${length} ${length + Buffer.byteLength(body)}\r\n${headerBlock}${body}\r\nPING\r\n`);
      });
      socket.on('data', (chunk) => {
        seen += String(chunk);
        if (seen.includes('PONG')) resolve();
        if (seen.includes('-ERR')) reject(new Error(seen));
      });
    });
  } finally {
    socket.destroy();
  }
}

const patience = { timeout: 10_000, interval: 20 };
const users = (...names: string[]): NormalizedTarget => ({ users: names, tags: [], all: false });
const push = (id: string, to: NormalizedTarget) => ({ origin: 'node-a', push: { id, ts: Date.now(), acceptedAt: Date.now(), publishedAt: Date.now(), to, payload: '1' }, headers: {} });

describe('nats bus watches', () => {
  const made: Bus[] = [];
  const makeBus = (options: Omit<NatsBusOptions, 'name'>) => {
    const bus = createNatsBus({ name: 'wsgw-test', ...options });
    made.push(bus);
    return bus;
  };
  afterEach(async () => {
    await Promise.all(made.splice(0).map((bus) => bus.close()));
  });
  const listen = async (bus: Bus) => {
    const heard: BusMessage[] = [];
    await bus.subscribe((message) => heard.push(message)).ready;
    return { heard, ids: () => heard.map((message) => message.push.id) };
  };

  it('watches 10,000 streams of one node, and routes a push to any of them once', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    prefixes.add(prefix);
    const [a, b] = [makeBus({ url, prefix, nodeId: 'node-a' }), makeBus({ url, prefix, nodeId: 'node-b' })];
    await expect.poll(() => a.health().connected, patience).toBe(true);
    const atB = await listen(b);
    const streams = Array.from({ length: 10_000 }, (_, i) => `u:user-${i}`);
    await Promise.all([...streams, 'u:marker'].map((stream) => b.watch(stream)));
    await a.publish(push('first-and-last', users('user-0', 'user-9999', 'user-5000')));
    await a.publish(push('marker', users('marker')));
    await expect.poll(atB.ids, patience).toEqual(['first-and-last', 'marker']);
    for (const stream of streams) b.unwatch(stream);
    await a.publish(push('unwatched', users('user-0', 'user-1')));
    await a.publish(push('marker-2', users('marker')));
    await expect.poll(atB.ids, patience).toEqual(['first-and-last', 'marker', 'marker-2']);
  });

  it('sends a push too wide for a copy per stream once to every node, kept by those watching one of its streams', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    prefixes.add(prefix);
    const [a, b, c] = [makeBus({ url, prefix, nodeId: 'node-a' }), makeBus({ url, prefix, nodeId: 'node-b' }), makeBus({ url, prefix, nodeId: 'node-c' })];
    for (const bus of [a, b, c]) await expect.poll(() => bus.health().connected, patience).toBe(true);
    // What goes on which subject of the prefix: the stream subjects, or the wide one.
    const raw = await connect({ servers: url });
    const seen: string[] = [];
    raw.subscribe(`${prefix}.>`, { callback: (_error, msg) => void (msg.subject.startsWith(`${prefix}.s.`) ? seen.push('stream') : msg.subject === `${prefix}.wide` && seen.push('wide')) });
    await raw.flush();
    try {
      const [atB, atC] = [await listen(b), await listen(c)];
      await b.watch('u:user-150');
      await c.watch('u:other');
      const many = Array.from({ length: 200 }, (_, i) => `user-${i}`);
      await a.publish(push('wide', users(...many)));
      await a.publish(push('marker', users('user-150', 'other')));
      await expect.poll(() => [atB.ids(), atC.ids()], patience).toEqual([['wide', 'marker'], ['marker']]);
      // 200 copies of a push to 200 streams (with their positions, about 13 KB) pass the limit; the marker's two do not.
      expect(200 * 13_000).toBeGreaterThan(WIDE_PUSH_BYTES);
      await expect.poll(() => seen, patience).toEqual(['wide', 'stream', 'stream']);
    } finally {
      await raw.close();
    }
  });

  it('takes watches while it closes and after, without throwing', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    prefixes.add(prefix);
    const bus = makeBus({ url, prefix, nodeId: 'node-a' });
    await expect.poll(() => bus.health().connected, patience).toBe(true);
    await bus.watch('u:alice');
    const closing = bus.close();
    void bus.watch('u:bob');
    bus.unwatch('u:alice');
    await closing;
    void bus.watch('u:carol');
    bus.unwatch('u:bob');
    bus.unwatch('u:carol');
  });

  it('drops and counts a push whose NATS headers cannot be read, and keeps delivering', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    prefixes.add(prefix);
    const b = makeBus({ url, prefix, nodeId: 'node-b' });
    await expect.poll(() => b.health().connected, patience).toBe(true);
    const atB = await listen(b);
    await b.watch('u:alice');
    const { push: valid } = push('unreadable', users('alice'));
    await publishRawHeaders(url, natsSubjects(prefix).stream('u:alice'), 'NATS/1.0\r\nbad name: 1\r\n\r\n', JSON.stringify({ origin: 'intruder', push: valid }));
    await b.publish(push('marker', users('alice')));
    await expect.poll(atB.ids, patience).toEqual(['marker']);
    expect(b.invalidMessages()).toEqual({ push: 1, signal: 0 });
    expect(b.health().connected).toBe(true);
  });

  it('loses the watched streams together and gets them back together, logging each once', async () => {
    const server = await startSubscriptionFaultBroker('nats');
    try {
      const prefix = `wsgw-test-${randomUUID()}`;
      const { logger, messages } = memoryLogger();
      const a = makeBus({ url: server.url, prefix, nodeId: 'node-a' });
      const b = makeBus({ url: server.url, prefix, nodeId: 'node-b', logger });
      const atB = await listen(b);
      await Promise.all(Array.from({ length: 500 }, (_, i) => b.watch(`u:user-${i}`)));
      await expect.poll(() => a.health().connected && b.health().connected, patience).toBe(true);
      const lost = 'bus watched stream subscription lost; subscribing again';
      const back = 'bus watched stream subscriptions hold again';
      await server.cutSubscriptions();
      await expect.poll(() => messages.includes(lost), patience).toBe(true);
      expect(b.health().connected).toBe(false);
      await server.restoreSubscriptions();
      await expect.poll(() => b.health().connected, patience).toBe(true);
      expect(messages.filter((message) => message === lost || message === back)).toEqual([lost, back]);
      // The server ended 500 subscriptions: none of them is a line of its own.
      expect(messages.filter((message) => message === 'bus status').length).toBeLessThan(10);
      await a.publish(push('again', users('user-0', 'user-499')));
      await a.publish(push('marker', users('user-250')));
      await expect.poll(atB.ids, patience).toEqual(['again', 'marker']);
    } finally {
      await server.stop();
    }
  }, 30_000);
});
