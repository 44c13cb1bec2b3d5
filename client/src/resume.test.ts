import { useTestGateways, type TestGateway } from '@wsgw/gateway/testing';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWsgwClient, type WsgwClient } from './index.ts';
import { recordClient } from './testing/client-recorder.ts';

const startTestGateway = useTestGateways();
let client: WsgwClient | undefined;
afterEach(() => client?.close());

/**
 * A client of `user` whose reconnects wait for `reconnect()`: the test pushes while it is away,
 * holding the token provider of its next attempt.
 */
async function awayClient(gateway: TestGateway, user: string, tags?: string[]) {
  let release: () => void = () => undefined;
  const back = new Promise<void>((resolve) => (release = resolve));
  client = createWsgwClient({
    url: gateway.wsUrl,
    WebSocket,
    random: () => 0,
    tokenProvider: async ({ retry }) => {
      if (retry > 0) await back;
      return gateway.token(user, tags);
    },
  });
  const log = recordClient(client);
  let pushesBeforeResumed: number | undefined;
  client.on('resumed', () => (pushesBeforeResumed ??= log.pushes.length));
  await log.waitForState((change) => change.state === 'open');
  return {
    log,
    pushesBeforeResumed: () => pushesBeforeResumed,
    /** Cuts the connection abnormally (1006) and resolves once the client waits for its token. */
    async cut() {
      for (const connection of gateway.server.hub.connections()) connection.ws.terminate();
      await log.waitForState((change) => change.state === 'connecting' && change.retry === 1);
    },
    reconnect: () => release(),
  };
}

const push = (gateway: TestGateway, user: string, data: number) => gateway.push({ to: { users: [user] }, data });

describe('resume against the gateway', () => {
  it('delivers each push missed while away exactly once, in order, then reports the streams recovered', async () => {
    const gateway = await startTestGateway();
    const away = await awayClient(gateway, 'alice', ['news']);
    for (const data of [1, 2, 3]) await push(gateway, 'alice', data);
    await away.log.waitForPushes(3);

    await away.cut();
    await push(gateway, 'alice', 4);
    await gateway.push({ to: { tags: ['news'] }, data: 5 });
    // Held by two of the connection's streams, delivered once.
    await gateway.push({ to: { users: ['alice'], tags: ['news'] }, data: 6 });
    await gateway.push({ to: { all: true }, data: 7 });
    away.reconnect();

    const resumed = await away.log.waitForResumed();
    expect(away.log.pushes.map((received) => received.data)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(away.log.pushes[5]!.pos).toEqual({ 'u:alice': 5, 't:news': 2 });
    expect(away.pushesBeforeResumed()).toBe(7);
    expect(resumed.lost).toEqual({});
    expect(resumed.streams).toMatchObject({
      'u:alice': { recovered: true, replayed: 2 },
      't:news': { recovered: true, replayed: 2 },
      all: { recovered: true, replayed: 1 },
    });
    expect(client!.positions()).toEqual({
      'u:alice': { epoch: resumed.streams['u:alice']!.epoch, seq: 5 },
      't:news': { epoch: resumed.streams['t:news']!.epoch, seq: 2 },
      all: { epoch: resumed.streams['all']!.epoch, seq: 1 },
    });

    // Live pushes follow the resume.
    await push(gateway, 'alice', 8);
    expect((await away.log.waitForPushes(8)).at(-1)!.data).toBe(8);
  });

  it('reports a stream whose missed pushes the gateway no longer holds as not recovered', async () => {
    const gateway = await startTestGateway({ history: { size: 2, ttlMs: 60_000, maxBytes: 1e6 } });
    const away = await awayClient(gateway, 'bob');
    await push(gateway, 'bob', 1);
    await away.log.waitForPushes(1);

    await away.cut();
    for (const data of [2, 3, 4, 5]) await push(gateway, 'bob', data);
    away.reconnect();

    const resumed = await away.log.waitForResumed();
    expect(resumed.lost['u:bob']).toMatchObject({ recovered: false, replayed: 2, seq: 5, reason: 'gap older than the history' });
    // The two pushes still held were replayed; the stream continues from where it stands now.
    const seen = away.log.pushes.map((received) => received.data);
    expect(seen).toEqual([1, 4, 5]);
    expect(client!.positions()['u:bob']).toEqual({ epoch: resumed.lost['u:bob']!.epoch, seq: resumed.lost['u:bob']!.seq });

    await push(gateway, 'bob', 6);
    expect((await away.log.waitForPushes(seen.length + 1)).at(-1)!.data).toBe(6);
  });

  it('reports every stream as not recovered after the gateway lost its history, and continues in the new epoch', async () => {
    const first = await startTestGateway();
    const away = await awayClient(first, 'carol');
    await push(first, 'carol', 1);
    await away.log.waitForPushes(1);
    const before = client!.positions()['u:carol']!;

    // The same address and keys, a new memory bus: every stream begins a new epoch.
    const port = Number(new URL(first.http).port);
    await first.close();
    await away.log.waitForState((change) => change.state === 'connecting' && change.retry === 1);
    const second = await startTestGateway({ port, jwtSecret: first.config.jwtSecret });
    await push(second, 'carol', 2);
    away.reconnect();

    const resumed = await away.log.waitForResumed();
    expect(resumed.lost['u:carol']).toMatchObject({ recovered: false, replayed: 0, reason: expect.stringMatching(/^unknown epoch/) });
    expect(resumed.lost['u:carol']!.epoch).not.toBe(before.epoch);
    expect(client!.positions()['u:carol']).toEqual({ epoch: resumed.lost['u:carol']!.epoch, seq: resumed.lost['u:carol']!.seq });
    expect(away.log.pushes.map((received) => received.data)).toEqual([1]);

    await push(second, 'carol', 3);
    expect((await away.log.waitForPushes(2))[1]!.pos).toEqual({ 'u:carol': resumed.lost['u:carol']!.seq + 1 });
  });
});
