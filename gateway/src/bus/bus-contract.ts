import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BusUnavailableError, type Bus, type BusMessage } from './bus.ts';
import { anyBody, createContractContext, envelope, ids, patience, type BusFactory, type ContractContext, type RestartableServer } from './bus-contract-context.ts';
import { describeHistoryCases } from './bus-history-contract.ts';

export { CONTRACT_HISTORY, type BusFactory, type RestartableServer } from './bus-contract-context.ts';

/** Pushes: delivery, order, unsubscribing, size, and prefixes kept apart. */
function describePushCases(context: ContractContext): void {
  const { name, makeBus, made, pair, collect } = context;

  it('delivers a push with its origin and headers to every subscriber', async () => {
    const { a, b } = await pair();
    const atA = await collect(a);
    const atB = await collect(b);
    const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    await a.publish({ origin: 'node-a', push: envelope('p1', '{"n":1}'), headers });
    await expect.poll(() => [atA.length, atB.length], patience).toEqual([1, 1]);
    for (const [message] of [atA, atB]) {
      expect(message!.origin).toBe('node-a');
      expect(message!.headers).toEqual(headers);
      expect(message!.push).toMatchObject({ id: 'p1', payload: '{"n":1}', to: { users: ['alice'], tags: [], all: false } });
    }
  });

  it('has a subscription hear every publish after it is ready, even one made before its bus connected', async () => {
    const prefix = `wsgw-test-${randomUUID()}`;
    const a = makeBus(prefix);
    made.push(a);
    await expect.poll(() => a.health().connected, { ...patience, message: `${name} to connect` }).toBe(true);
    const late = makeBus(prefix);
    made.push(late);
    const atLate = await collect(late);
    await a.publish({ origin: 'node-a', push: envelope('first'), headers: {} });
    await expect.poll(() => ids(atLate), patience).toEqual(['first']);
  });

  it('keeps the order of one publisher', async () => {
    const { a, b } = await pair();
    const atB = await collect(b);
    for (let i = 0; i < 200; i += 1) await a.publish({ origin: 'node-a', push: envelope(`p${i}`), headers: {} });
    await expect.poll(() => atB.length, patience).toBe(200);
    expect(ids(atB)).toEqual(Array.from({ length: 200 }, (_, i) => `p${i}`));
  });

  it('stops delivering after unsubscribe', async () => {
    const { a, b } = await pair();
    const received: BusMessage[] = [];
    const unsubscribe = b.subscribe((message) => received.push(message));
    await unsubscribe.ready;
    const control = await collect(b);
    await a.publish({ origin: 'node-a', push: envelope('before'), headers: {} });
    await expect.poll(() => received.length, patience).toBe(1);
    unsubscribe();
    // The other subscriber on the same bus hears `after`: had the first still listened, it would have by then.
    await a.publish({ origin: 'node-a', push: envelope('after'), headers: {} });
    await expect.poll(() => control.length, patience).toBe(2);
    expect(ids(received)).toEqual(['before']);
  });

  it('carries large payloads intact', async () => {
    const { a, b } = await pair();
    const atB = await collect(b);
    const payload = JSON.stringify({ blob: 'é'.repeat(350_000) });
    await a.publish({ origin: 'node-a', push: envelope('big', payload), headers: {} });
    await expect.poll(() => atB.length, patience).toBe(1);
    expect(atB[0]!.push.payload).toBe(payload);
  });

  it('does not leak between prefixes', async () => {
    const { a, b } = await pair();
    const other = makeBus(`wsgw-test-${randomUUID()}`);
    made.push(other);
    await expect.poll(() => other.health().connected, { ...patience, message: 'the other bus' }).toBe(true);
    const atOther = await collect(other);
    const atB = await collect(b);
    await a.publish({ origin: 'node-a', push: envelope('mine'), headers: {} });
    await expect.poll(() => ids(atB), patience).toEqual(['mine']);
    // `mine` has gone through the broker; a marker published on the other prefix after it would
    // reach `other` behind it, had it leaked.
    await other.publish({ origin: 'node-other', push: envelope('marker'), headers: {} });
    await vi.waitFor(() => expect(ids(atOther)).toContain('marker'), patience);
    expect(ids(atOther)).toEqual(['marker']);
  });
}

/** Interest: a node hears the pushes of the streams it watches, and the signals sent to it. */
function describeRoutingCases(context: ContractContext): void {
  const { pair } = context;
  const listen = async (bus: Bus, streams: string[]) => {
    const received: BusMessage[] = [];
    await bus.subscribe((message) => received.push(message)).ready;
    await Promise.all(streams.map((stream) => bus.watch(stream)));
    return { received };
  };

  it('routes a push only to the nodes watching one of its streams, once however many of them a node watches', async () => {
    const { a, b } = await pair();
    const atA = await listen(a, ['u:alice', 't:news']);
    const atB = await listen(b, ['u:bob']);
    await b.publish({ origin: 'node-b', push: envelope('both', '1', { users: ['alice'], tags: ['news'], all: false }), headers: {} });
    await b.publish({ origin: 'node-b', push: envelope('nobody', '2', { users: ['carol'], tags: [], all: false }), headers: {} });
    // Markers behind them on each node's own stream: whatever else was coming has arrived.
    await a.publish({ origin: 'node-a', push: envelope('to-bob', '3', { users: ['bob'], tags: [], all: false }), headers: {} });
    await b.publish({ origin: 'node-b', push: envelope('to-alice', '4'), headers: {} });
    await expect.poll(() => [ids(atA.received).at(-1), ids(atB.received).at(-1)], patience).toEqual(['to-alice', 'to-bob']);
    expect(ids(atA.received)).toEqual(['both', 'to-alice']);
    expect(ids(atB.received)).toEqual(['to-bob']);
  });

  it('stops routing a stream to a node once its last watch ends', async () => {
    const { a, b } = await pair();
    const atB = await listen(b, ['u:alice', 'u:alice', 't:news']);
    b.unwatch('u:alice');
    await a.publish({ origin: 'node-a', push: envelope('still'), headers: {} });
    await expect.poll(() => ids(atB.received), patience).toEqual(['still']);
    b.unwatch('u:alice');
    // One more than it watched: nothing more happens.
    b.unwatch('u:alice');
    await a.publish({ origin: 'node-a', push: envelope('unwatched'), headers: {} });
    await a.publish({ origin: 'node-a', push: envelope('marker', '1', { users: [], tags: ['news'], all: false }), headers: {} });
    await expect.poll(() => ids(atB.received), patience).toEqual(['still', 'marker']);
  });

  it('carries a signal sent to one node to that node only', async () => {
    const { a, b } = await pair();
    const heard = { a: [] as unknown[], b: [] as unknown[] };
    await a.onSignal({ topic: 'direct', parse: anyBody, handle: (_origin, body) => heard.a.push(body) }).ready;
    await b.onSignal({ topic: 'direct', parse: anyBody, handle: (_origin, body) => heard.b.push(body) }).ready;
    await a.signal({ origin: 'node-a', topic: 'direct', body: 'for b' }, 'node-b');
    await b.signal({ origin: 'node-b', topic: 'direct', body: 'for a' }, 'node-a');
    await a.signal({ origin: 'node-a', topic: 'direct', body: 'for nobody' }, 'node-z');
    await a.signal({ origin: 'node-a', topic: 'direct', body: 'marker' });
    await expect.poll(() => [heard.a.at(-1), heard.b.at(-1)], patience).toEqual(['marker', 'marker']);
    expect(heard).toEqual({ a: ['for a', 'marker'], b: ['for b', 'marker'] });
  });
}

/** Signals, and handlers that throw. */
function describeSignalCases(context: ContractContext): void {
  const { pair, collect } = context;

  it('carries signals to every node, the sender included', async () => {
    const { a, b } = await pair();
    const atA: unknown[] = [];
    const atB: unknown[] = [];
    await a.onSignal({ topic: 'announce', parse: anyBody, handle: (origin, body) => atA.push({ origin, body }) }).ready;
    await b.onSignal({ topic: 'announce', parse: anyBody, handle: (origin, body) => atB.push({ origin, body }) }).ready;
    await b.onSignal({ topic: 'other', parse: anyBody, handle: (origin, body) => atB.push({ other: body }) }).ready;
    await a.signal({ origin: 'node-a', topic: 'announce', body: { connections: 3 } });
    // A trailing signal on the other topic: `announce` reached b before it, and only once.
    await a.signal({ origin: 'node-a', topic: 'other', body: 'marker' });
    await expect.poll(() => [atA.length, atB.length], patience).toEqual([1, 2]);
    expect(atB).toEqual([{ origin: 'node-a', body: { connections: 3 } }, { other: 'marker' }]);
  });

  it('drops a signal whose body its topic refuses, counts it, and keeps listening', async () => {
    const { a, b } = await pair();
    const atB: number[] = [];
    const parse = (body: unknown) => (typeof body === 'number' ? { ok: true as const, value: body } : { ok: false as const, error: 'not a number' });
    await b.onSignal({ topic: 'count', parse, handle: (_origin, body) => atB.push(body) }).ready;
    // The good signal comes last: once it is in, the refused ones have all been seen.
    for (const body of [null, 'seven', { n: 7 }, 7]) await a.signal({ origin: 'node-a', topic: 'count', body });
    await expect.poll(() => atB.length, patience).toBe(1);
    expect(atB).toEqual([7]);
    expect(b.invalidMessages()).toEqual({ push: 0, signal: 3 });
  });

  it('keeps delivering to the other handlers, and later messages, when a handler throws', async () => {
    const { a, b } = await pair();
    await b.subscribe(() => {
      throw new TypeError('handler bug');
    }).ready;
    const atB = await collect(b);
    const signals: unknown[] = [];
    await b.onSignal({ topic: 'ping', parse: anyBody, handle: () => { throw new TypeError('signal handler bug'); } }).ready;
    await b.onSignal({ topic: 'ping', parse: anyBody, handle: (_origin, body) => signals.push(body) }).ready;
    for (const id of ['p1', 'p2']) await a.publish({ origin: 'node-a', push: envelope(id), headers: {} });
    for (const body of [1, 2]) await a.signal({ origin: 'node-a', topic: 'ping', body });
    await expect.poll(() => [atB.length, signals.length], patience).toEqual([2, 2]);
    expect(ids(atB)).toEqual(['p1', 'p2']);
    expect(signals).toEqual([1, 2]);
    expect(b.health().connected).toBe(true);
  });
}

/** A server that goes away, and subscriptions it ends: only on a private server. */
function describeFaultCases(context: ContractContext, privateServer: (() => Promise<RestartableServer>) | undefined): void {
  const { name, made, collect } = context;
  /** Two buses of the implementation on one fresh prefix of `server`, once both are connected. */
  const connectedPair = async (server: RestartableServer): Promise<[Bus, Bus]> => {
    const prefix = `wsgw-test-${randomUUID()}`;
    const [a, b] = [server.makeBus(prefix), server.makeBus(prefix)];
    made.push(a, b);
    await expect.poll(() => a.health().connected && b.health().connected, { ...patience, message: `${name} to connect` }).toBe(true);
    return [a, b];
  };

  it.runIf(privateServer !== undefined)('refuses publishes while the server is gone and delivers again when it is back', async () => {
    const server = await privateServer!();
    try {
      const [a, b] = await connectedPair(server);
      const atB = await collect(b);
      await server.stop();
      await expect.poll(() => a.health().connected || b.health().connected, { ...patience, message: 'the loss to be noticed' }).toBe(false);
      await expect(a.publish({ origin: 'node-a', push: envelope('lost'), headers: {} })).rejects.toThrow(BusUnavailableError);
      await server.restart();
      await expect.poll(() => a.health().connected && b.health().connected, { ...patience, timeout: 10_000, message: 'the reconnection' }).toBe(true);
      expect(a.health().reconnects).toBeGreaterThanOrEqual(1);
      // b's subscription comes back on its own: one made now is ready once the broker holds it
      // again, and from then on one publish reaches it and the handler from before the outage.
      const afterwards = await collect(b);
      await a.publish({ origin: 'node-a', push: envelope('again'), headers: {} });
      await expect.poll(() => [ids(atB), ids(afterwards)], { ...patience, message: 'delivery after the reconnection' }).toEqual([['again'], ['again']]);
    } finally {
      await server.stop();
    }
  }, 30_000);

  it.runIf(privateServer !== undefined)('is not ready while its subscriptions are cut, says why, and subscribes again by itself', async () => {
    const server = await privateServer!();
    try {
      const [a, b] = await connectedPair(server);
      const { connectedSince: since, reconnects } = b.health();
      const atB = await collect(b);
      await server.cutSubscriptions();
      await expect.poll(() => b.health().connected, { ...patience, message: 'the lost subscription to be noticed' }).toBe(false);
      expect(b.health().reason).toMatch(/subscri/i);
      await server.restoreSubscriptions();
      await expect.poll(() => b.health().connected, { ...patience, timeout: 10_000, message: 'the subscription to be made again' }).toBe(true);
      expect(b.health().connectedSince).toBeGreaterThan(since!);
      // Refused attempts while cut do not count as coming back: one outage, one reconnect.
      expect(b.health().reconnects).toBe(reconnects + 1);
      const afterwards = await collect(b);
      await a.publish({ origin: 'node-a', push: envelope('again'), headers: {} });
      await expect.poll(() => [ids(atB), ids(afterwards)], { ...patience, message: 'delivery after subscribing again' }).toEqual([['again'], ['again']]);
    } finally {
      await server.stop();
    }
  }, 30_000);
}

/**
 * The behaviour every bus implementation owes the gateway, run unchanged against each
 * (memory, NATS, Redis): each test gets its own prefix, so runs sharing a server stay apart.
 */
export function describeBusContract(name: string, makeBus: BusFactory, privateServer?: () => Promise<RestartableServer>): void {
  describe(`${name} bus contract`, () => {
    const context = createContractContext(name, makeBus);
    afterEach(async () => {
      await Promise.all(context.made.splice(0).map((bus) => bus.close()));
    });
    describePushCases(context);
    describeHistoryCases(context);
    describeRoutingCases(context);
    describeSignalCases(context);
    describeFaultCases(context, privateServer);
  });
}
