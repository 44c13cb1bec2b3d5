import { randomUUID } from 'node:crypto';
import { useTestGateways, type TestGateway } from '@wsgw/gateway/testing';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWsgwClient, type WsgwClient } from './index.ts';
import { recordClient } from './testing/client-recorder.ts';

const startTestGateway = useTestGateways();
let client: WsgwClient | undefined;
afterEach(() => client?.close());

const NATS = process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Two nodes on NATS under a prefix of their own, knowing each other. */
async function twoNodes(): Promise<[TestGateway, TestGateway]> {
  const busPrefix = `wsgw-test-${randomUUID()}`;
  const a = await startTestGateway({ nodeId: 'node-a', bus: NATS, busPrefix, clusterWaitMs: 1000 });
  const b = await startTestGateway({ nodeId: 'node-b', bus: NATS, busPrefix, clusterWaitMs: 1000, apiKey: a.config.apiKey, jwtSecret: a.config.jwtSecret });
  for (const node of [a, b]) await expect.poll(async () => (await node.api('GET', '/api/users/nobody')).body.complete, { timeout: 5000 }).toBeUndefined();
  return [a, b];
}

describe('tag changes in the client', () => {
  it('resumes a tag added at runtime from the tags frame position, and no longer resumes a removed one', async () => {
    const [a, b] = await twoNodes();
    // The application's backend issues tokens from its own idea of the user's tags, which it
    // changes together with the gateway's.
    let tags = ['old'];
    let release: () => void = () => undefined;
    const back = new Promise<void>((resolve) => (release = resolve));
    client = createWsgwClient({
      url: b.wsUrl,
      WebSocket,
      random: () => 0,
      tokenProvider: async ({ retry }) => {
        if (retry > 0) await back;
        return b.token('erin', tags);
      },
    });
    const log = recordClient(client);
    await log.waitForState((change) => change.state === 'open');
    await a.push({ to: { tags: ['new'] }, data: 'before' });

    expect((await a.api('POST', '/api/users/erin/tags', { add: ['new'], remove: ['old'] })).body).toEqual({ changed: 1 });
    tags = ['new'];
    const event = await log.waitForTags(1);
    expect(event).toEqual({ tags: ['new'], added: ['t:new'], removed: ['t:old'] });
    // Where t:new stood when it reached the connection: after the push made before the change.
    expect(client.positions()['t:new']).toMatchObject({ seq: 1 });
    expect(client.positions()['t:old']).toBeUndefined();

    await a.push({ to: { tags: ['new'] }, data: 1 });
    await log.waitForPushes(1);
    for (const connection of b.server.hub.connections()) connection.ws.terminate();
    await log.waitForState((change) => change.state === 'connecting' && change.retry === 1);
    await a.push({ to: { tags: ['new'] }, data: 2 });
    await a.push({ to: { tags: ['new'] }, data: 3 });
    release();

    const resumed = await log.waitForResumed();
    expect(resumed.lost).toEqual({});
    expect(resumed.streams['t:new']).toMatchObject({ recovered: true, replayed: 2, seq: 4 });
    expect(resumed.streams['t:old']).toBeUndefined();
    expect(log.pushes.map((push) => push.data)).toEqual([1, 2, 3]);
  });
});
