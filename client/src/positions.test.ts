import type { PushFrame, WelcomeFrame } from '@wsgw/gateway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWsgwClient, type WsgwClient } from './index.ts';
import { recordClient } from './testing/client-recorder.ts';
import { startScriptedGateway, type ScriptedGateway } from './testing/scripted-gateway.ts';

let peer: ScriptedGateway | undefined;
let client: WsgwClient | undefined;
afterEach(async () => {
  client?.close();
  await peer?.close();
});

const welcome = (streams?: WelcomeFrame['streams']): WelcomeFrame => ({ type: 'welcome', connection: 'c1', user: 'alice', node: 'n1', ...(streams && { streams }) });
const push = (id: string, pos: Record<string, number>): PushFrame => ({ type: 'push', id, ts: 1, data: id, pos });

async function start() {
  peer = await startScriptedGateway();
  client = createWsgwClient({ url: peer.wsUrl, token: 'jwt', WebSocket, random: () => 0 });
  return { peer, client, log: recordClient(client) };
}

describe('positions and resume, against a scripted peer', () => {
  it('sends no resume and no resume=1 on the very first connection', async () => {
    const { peer, log } = await start();
    const first = await peer.nextConnection();
    expect(first.url.searchParams.get('token')).toBe('jwt');
    expect(first.url.searchParams.has('resume')).toBe(false);
    first.send(welcome({ 'u:alice': { epoch: 'e1', seq: 4 } }), push('marker', { 'u:alice': 5 }));
    await log.waitForPushes(1);
    // The auto-ack of the marker is the first frame the client sent: no resume came before it.
    expect(await first.waitForFrames(1)).toEqual([{ type: 'ack', id: 'marker' }]);
  });

  it('resumes each stream from its contiguous watermark, not from the highest position seen', async () => {
    const { peer, client, log } = await start();
    const first = await peer.nextConnection();
    first.send(
      welcome({ 'u:alice': { epoch: 'e1', seq: 10 }, all: { epoch: 'e2', seq: 3 } }),
      push('p11', { 'u:alice': 11 }),
      // 12 was accepted on another node and is still on its way when 13 arrives.
      push('p13', { 'u:alice': 13, all: 4 }),
    );
    await log.waitForPushes(2);
    expect(client.positions()).toEqual({ 'u:alice': { epoch: 'e1', seq: 11 }, all: { epoch: 'e2', seq: 4 } });
    first.terminate();

    const second = await peer.nextConnection();
    expect(second.url.searchParams.get('resume')).toBe('1');
    const [resume] = await second.waitForFrames(1);
    expect(resume).toEqual({ type: 'resume', streams: { 'u:alice': { epoch: 'e1', seq: 11 }, all: { epoch: 'e2', seq: 4 } } });
  });

  it('delivers each replayed push once, then reports the streams it could not recover', async () => {
    const { peer, client, log } = await start();
    const first = await peer.nextConnection();
    first.send(welcome({ 'u:alice': { epoch: 'e1', seq: 0 }, 't:news': { epoch: 'e3', seq: 7 } }), push('p1', { 'u:alice': 1 }), push('p3', { 'u:alice': 3 }));
    await log.waitForPushes(2);
    first.terminate();

    const second = await peer.nextConnection();
    await second.waitForFrames(1);
    second.send(
      welcome({ 'u:alice': { epoch: 'e1', seq: 4 }, 't:news': { epoch: 'e4', seq: 2 } }),
      // The replay from 1 repeats p3, which was seen before the cut.
      push('p2', { 'u:alice': 2 }),
      push('p3', { 'u:alice': 3 }),
      push('p4', { 'u:alice': 4 }),
      {
        type: 'resumed',
        streams: {
          'u:alice': { recovered: true, replayed: 3, epoch: 'e1', seq: 4 },
          't:news': { recovered: false, replayed: 0, epoch: 'e4', seq: 2, reason: 'unknown epoch' },
        },
      },
    );
    const resumed = await log.waitForResumed();
    expect(log.pushes.map((received) => received.id)).toEqual(['p1', 'p3', 'p2', 'p4']);
    expect(resumed.lost).toEqual({ 't:news': { recovered: false, replayed: 0, epoch: 'e4', seq: 2, reason: 'unknown epoch' } });
    expect(Object.keys(resumed.streams)).toEqual(['u:alice', 't:news']);
    expect(client.positions()).toEqual({ 'u:alice': { epoch: 'e1', seq: 4 }, 't:news': { epoch: 'e4', seq: 2 } });
    // After the resume frame, an ack for each replayed push, the duplicate included.
    const frames = await second.waitForFrames(4);
    expect(frames.slice(1)).toEqual(['p2', 'p3', 'p4'].map((id) => ({ type: 'ack', id })));
  });

  it('forgets a stream the connection no longer holds and takes up a new one from the welcome', async () => {
    const { peer, client, log } = await start();
    const first = await peer.nextConnection();
    first.send(welcome({ 'u:alice': { epoch: 'e1', seq: 1 }, 't:old': { epoch: 'e1', seq: 1 } }));
    await log.waitForState((change) => change.state === 'open');
    first.terminate();

    const second = await peer.nextConnection();
    await second.waitForFrames(1);
    second.send(
      welcome({ 'u:alice': { epoch: 'e1', seq: 1 }, 't:new': { epoch: 'e9', seq: 5 } }),
      { type: 'resumed', streams: { 'u:alice': { recovered: true, replayed: 0, epoch: 'e1', seq: 1 } } },
    );
    await log.waitForResumed();
    expect(client.positions()).toEqual({ 'u:alice': { epoch: 'e1', seq: 1 }, 't:new': { epoch: 'e9', seq: 5 } });
  });

  it('sends no resume after a welcome without streams (the bus was down): there is no position to resume from', async () => {
    const { peer, log } = await start();
    const first = await peer.nextConnection();
    first.send(welcome(), { type: 'push', id: 'p', ts: 1, data: null });
    await log.waitForPushes(1);
    first.terminate();
    const second = await peer.nextConnection();
    expect(second.url.searchParams.has('resume')).toBe(false);
  });
});
