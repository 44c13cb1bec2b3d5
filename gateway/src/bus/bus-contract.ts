import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushEnvelope } from '../push/push-envelope.ts';
import { BusUnavailableError, type Bus, type BusMessage } from './bus.ts';

/** Makes a bus on a medium shared by every bus made with the same prefix. */
export type BusFactory = (prefix: string) => Bus;

/** A private server the reconnect case can stop and start, and a factory of buses on it. */
export interface RestartableServer {
  makeBus: BusFactory;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Ends the buses' subscriptions while their connections stay, and keeps new ones from holding. */
  cutSubscriptions(): Promise<void>;
  /** Lets subscriptions hold again. */
  restoreSubscriptions(): Promise<void>;
}

const anyBody = (body: unknown) => ({ ok: true as const, value: body });

const envelope = (id: string, payload = '"x"'): PushEnvelope => ({
  id,
  ts: Date.now(),
  acceptedAt: Date.now(),
  publishedAt: Date.now(),
  to: { users: ['alice'], tags: [], all: false },
  payload,
});

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The behaviour every bus implementation owes the gateway, run unchanged against each
 * (memory, NATS, Redis): each test gets its own prefix, so runs sharing a server stay apart.
 */
export function describeBusContract(name: string, makeBus: BusFactory, privateServer?: () => Promise<RestartableServer>): void {
  describe(`${name} bus contract`, () => {
    const made: Bus[] = [];
    const pair = async () => {
      const prefix = `wsgw-test-${randomUUID()}`;
      const [a, b] = [makeBus(prefix), makeBus(prefix)];
      made.push(a, b);
      await until(() => a.health().connected && b.health().connected, `${name} to connect`);
      return { a, b };
    };
    const collect = (bus: Bus) => {
      const received: BusMessage[] = [];
      bus.subscribe((message) => received.push(message));
      return received;
    };
    afterEach(async () => {
      await Promise.all(made.splice(0).map((bus) => bus.close()));
    });

    it('delivers a push with its origin and headers to every subscriber', async () => {
      const { a, b } = await pair();
      const atA = collect(a);
      const atB = collect(b);
      await new Promise((resolve) => setTimeout(resolve, 100)); // subscriptions reach the broker
      const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
      await a.publish({ origin: 'node-a', push: envelope('p1', '{"n":1}'), headers });
      await until(() => atA.length === 1 && atB.length === 1, 'delivery to both subscribers');
      for (const [message] of [atA, atB]) {
        expect(message!.origin).toBe('node-a');
        expect(message!.headers).toEqual(headers);
        expect(message!.push).toMatchObject({ id: 'p1', payload: '{"n":1}', to: { users: ['alice'], tags: [], all: false } });
      }
    });

    it('keeps the order of one publisher', async () => {
      const { a, b } = await pair();
      const atB = collect(b);
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let i = 0; i < 200; i += 1) await a.publish({ origin: 'node-a', push: envelope(`p${i}`), headers: {} });
      await until(() => atB.length === 200, '200 messages');
      expect(atB.map((m) => m.push.id)).toEqual(Array.from({ length: 200 }, (_, i) => `p${i}`));
    });

    it('stops delivering after unsubscribe', async () => {
      const { a, b } = await pair();
      const received: BusMessage[] = [];
      const unsubscribe = b.subscribe((message) => received.push(message));
      const control = collect(b);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await a.publish({ origin: 'node-a', push: envelope('before'), headers: {} });
      await until(() => received.length === 1, 'first message');
      unsubscribe();
      await a.publish({ origin: 'node-a', push: envelope('after'), headers: {} });
      await until(() => control.length === 2, 'second message on the other subscriber');
      expect(received.map((m) => m.push.id)).toEqual(['before']);
    });

    it('carries large payloads intact', async () => {
      const { a, b } = await pair();
      const atB = collect(b);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const payload = JSON.stringify({ blob: 'é'.repeat(350_000) });
      await a.publish({ origin: 'node-a', push: envelope('big', payload), headers: {} });
      await until(() => atB.length === 1, 'the large message');
      expect(atB[0]!.push.payload).toBe(payload);
    });

    it('carries signals to every node, the sender included', async () => {
      const { a, b } = await pair();
      const atA: unknown[] = [];
      const atB: unknown[] = [];
      a.onSignal({ topic: 'announce', parse: anyBody, handle: (origin, body) => atA.push({ origin, body }) });
      b.onSignal({ topic: 'announce', parse: anyBody, handle: (origin, body) => atB.push({ origin, body }) });
      b.onSignal({ topic: 'other', parse: anyBody, handle: (origin, body) => atB.push({ other: body }) });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await a.signal({ origin: 'node-a', topic: 'announce', body: { connections: 3 } });
      await until(() => atA.length === 1 && atB.length === 1, 'the signal on both nodes');
      expect(atB).toEqual([{ origin: 'node-a', body: { connections: 3 } }]);
    });

    it('drops a signal whose body its topic refuses, counts it, and keeps listening', async () => {
      const { a, b } = await pair();
      const atB: number[] = [];
      const parse = (body: unknown) => (typeof body === 'number' ? { ok: true as const, value: body } : { ok: false as const, error: 'not a number' });
      b.onSignal({ topic: 'count', parse, handle: (_origin, body) => atB.push(body) });
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const body of [null, 'seven', { n: 7 }, 7]) await a.signal({ origin: 'node-a', topic: 'count', body });
      await until(() => atB.length === 1, 'the good signal');
      expect(atB).toEqual([7]);
      expect(b.invalidMessages()).toEqual({ push: 0, signal: 3 });
    });

    it('keeps delivering to the other handlers, and later messages, when a handler throws', async () => {
      const { a, b } = await pair();
      b.subscribe(() => {
        throw new TypeError('handler bug');
      });
      const atB = collect(b);
      const signals: unknown[] = [];
      b.onSignal({ topic: 'ping', parse: anyBody, handle: () => { throw new TypeError('signal handler bug'); } });
      b.onSignal({ topic: 'ping', parse: anyBody, handle: (_origin, body) => signals.push(body) });
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const id of ['p1', 'p2']) await a.publish({ origin: 'node-a', push: envelope(id), headers: {} });
      for (const body of [1, 2]) await a.signal({ origin: 'node-a', topic: 'ping', body });
      await until(() => atB.length === 2 && signals.length === 2, 'every message past the throwing handlers');
      expect(atB.map((message) => message.push.id)).toEqual(['p1', 'p2']);
      expect(signals).toEqual([1, 2]);
      expect(b.health().connected).toBe(true);
    });

    it.runIf(privateServer !== undefined)('refuses publishes while the server is gone and delivers again when it is back', async () => {
      const server = await privateServer!();
      try {
        const prefix = `wsgw-test-${randomUUID()}`;
        const [a, b] = [server.makeBus(prefix), server.makeBus(prefix)];
        made.push(a, b);
        await until(() => a.health().connected && b.health().connected, `${name} to connect`);
        const atB = collect(b);
        await server.stop();
        await until(() => !a.health().connected, 'the loss to be noticed');
        await expect(a.publish({ origin: 'node-a', push: envelope('lost'), headers: {} })).rejects.toThrow(BusUnavailableError);
        await server.restart();
        await until(() => a.health().connected && b.health().connected, 'the reconnection', 10_000);
        expect(a.health().reconnects).toBeGreaterThanOrEqual(1);
        // b's subscription comes back on its own; publish until one gets through, within a bound.
        const deadline = Date.now() + 10_000;
        while (atB.length === 0) {
          if (Date.now() > deadline) throw new Error('no delivery after the reconnection');
          await a.publish({ origin: 'node-a', push: envelope('again'), headers: {} });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(atB.every((message) => message.push.id === 'again')).toBe(true);
      } finally {
        await server.stop();
      }
    }, 30_000);

    it.runIf(privateServer !== undefined)('is not ready while its subscriptions are cut, says why, and subscribes again by itself', async () => {
      const server = await privateServer!();
      try {
        const prefix = `wsgw-test-${randomUUID()}`;
        const [a, b] = [server.makeBus(prefix), server.makeBus(prefix)];
        made.push(a, b);
        await until(() => a.health().connected && b.health().connected, `${name} to connect`);
        const { connectedSince: since, reconnects } = b.health();
        const atB = collect(b);
        await server.cutSubscriptions();
        await until(() => !b.health().connected, 'the lost subscription to be noticed');
        expect(b.health().reason).toMatch(/subscri/i);
        await server.restoreSubscriptions();
        await until(() => b.health().connected, 'the subscription to be made again', 10_000);
        expect(b.health().connectedSince).toBeGreaterThan(since!);
        // Refused attempts while cut do not count as coming back: one outage, one reconnect.
        expect(b.health().reconnects).toBe(reconnects + 1);
        const deadline = Date.now() + 10_000;
        while (atB.length === 0) {
          if (Date.now() > deadline) throw new Error('no delivery after subscribing again');
          await a.publish({ origin: 'node-a', push: envelope('again'), headers: {} }).catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(atB.every((message) => message.push.id === 'again')).toBe(true);
      } finally {
        await server.stop();
      }
    }, 30_000);

    it('does not leak between prefixes', async () => {
      const { a, b } = await pair();
      const other = makeBus(`wsgw-test-${randomUUID()}`);
      made.push(other);
      await until(() => other.health().connected, 'the other bus');
      const atOther = collect(other);
      const atB = collect(b);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await a.publish({ origin: 'node-a', push: envelope('mine'), headers: {} });
      await until(() => atB.length === 1, 'delivery within the prefix');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(atOther).toEqual([]);
    });
  });
}
