import { connectClient, useTestGateways, type TestGateway } from '@wsgw/gateway/testing';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWsgwClient, type TokenRequest, type WsgwClient, type WsgwClientOptions } from './index.ts';
import { recordClient } from './testing/client-recorder.ts';

const startTestGateway = useTestGateways();
const clients: WsgwClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

function clientOf(gateway: TestGateway, options: Partial<WsgwClientOptions>) {
  const client = createWsgwClient({ url: gateway.wsUrl, WebSocket, random: () => 0, ...options });
  clients.push(client);
  return { client, log: recordClient(client) };
}

/** Epoch seconds `seconds` from now, as a token's `exp`. */
const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;
const GRACE_MS = 1000;

describe('the client when its token expires', () => {
  it('answers refresh with a token from its provider, and its connection outlives the grace', async () => {
    const gateway = await startTestGateway({ refreshGraceMs: GRACE_MS });
    const asked: TokenRequest[] = [];
    const { log } = clientOf(gateway, {
      tokenProvider: (request) => {
        asked.push(request);
        return gateway.token('alice', [], request.refresh ? inSeconds(600) : inSeconds(2));
      },
    });
    await log.waitForState((change) => change.state === 'open');
    // A connection that does not answer, expiring no earlier than alice's: its close comes at or
    // after the end of alice's grace.
    const marker = await connectClient(gateway.wsUrl, { authorization: `Bearer ${await gateway.token('bob', [], inSeconds(2))}` });
    expect(await marker.closed).toEqual({ code: 4003, reason: 'token expired' });

    expect(asked).toEqual([{ retry: 0 }, { retry: 0, refresh: true }]);
    await gateway.push({ to: { users: ['alice'] }, data: 'after the grace' });
    expect((await log.waitForPushes(1))[0]!.data).toBe('after the grace');
    expect(log.states.map((change) => change.state)).toEqual(['connecting', 'open']);
    expect(gateway.server.tokenExpiry).toMatchObject({ waiting: 1, inGrace: 0 });
    expect(log.errors).toEqual([]);
  });

  it('stops with a fixed token once the gateway closes the connection with 4003', async () => {
    const gateway = await startTestGateway({ refreshGraceMs: GRACE_MS });
    const { log } = clientOf(gateway, { token: await gateway.token('carol', [], inSeconds(2)) });
    await log.waitForState((change) => change.state === 'open');
    const closed = await log.waitForState((change) => change.state === 'closed', 6000);
    expect(closed).toEqual({ state: 'closed', reason: { type: 'close', code: 4003, text: 'token expired', opened: true } });
    expect(log.states.map((change) => change.state)).toEqual(['connecting', 'open', 'closed']);
    expect((await gateway.api('GET', '/api/stats')).body.connectionsClosed.expired).toBe(1);
  });

  it('reports a provider failing on refresh, and reconnects with a new token after the 4003', async () => {
    const gateway = await startTestGateway({ refreshGraceMs: GRACE_MS });
    const asked: TokenRequest[] = [];
    const { log } = clientOf(gateway, {
      tokenProvider: (request) => {
        asked.push(request);
        if (request.refresh) throw new Error('identity provider unreachable');
        return gateway.token('dave', [], asked.length === 1 ? inSeconds(2) : inSeconds(600));
      },
    });
    await log.waitForStateCount('open', 2, 8000);
    expect(log.errors.map((error) => error.message)).toEqual(['identity provider unreachable']);
    expect(log.states[2]).toMatchObject({ state: 'reconnecting', reason: { type: 'close', code: 4003, text: 'token expired', opened: true } });
    expect(asked).toEqual([{ retry: 0 }, { retry: 0, refresh: true }, { retry: 1, lastReason: { type: 'close', code: 4003, text: 'token expired', opened: true } }]);
  });
});
