import { describe, expect, it } from 'vitest';
import type { PushFrame, ResumedFrame, ServerFrame, StreamPosition } from '../protocol.ts';
import { connectClient, type TestClient } from '../testing/test-client.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

/** Where a client stands in each stream: its welcome's positions, advanced by every push it read. */
function positionsSeen(client: TestClient): Record<string, StreamPosition> {
  const seen = structuredClone(client.welcome.streams!);
  for (const push of client.pushes()) {
    for (const [stream, seq] of Object.entries(push.pos ?? {})) seen[stream]!.seq = Math.max(seen[stream]!.seq, seq);
  }
  return seen;
}

async function reconnect(gateway: TestGateway, user: string, tags: string[], query = '?resume=1'): Promise<TestClient> {
  return connectClient(`${gateway.wsUrl}${query}`, { authorization: `Bearer ${await gateway.token(user, tags)}` });
}

const pushesIn = (frames: ServerFrame[]) => frames.filter((frame): frame is PushFrame => frame.type === 'push');
const resumedIn = (frames: ServerFrame[]) => frames.find((frame): frame is ResumedFrame => frame.type === 'resumed');

describe('streams and resume', () => {
  it('welcomes a connection with where each of its streams stands', async () => {
    const gateway = await startTestGateway();
    await gateway.push({ to: { users: ['alice'] }, data: 1 });
    await gateway.push({ to: { all: true }, data: 2 });
    const alice = await gateway.connect('alice', ['news']);
    expect(Object.keys(alice.welcome.streams!).sort()).toEqual(['all', 't:news', 'u:alice']);
    expect(alice.welcome.streams!['u:alice']).toEqual({ epoch: expect.stringMatching(/^.{1,64}$/), seq: 1 });
    expect(alice.welcome.streams!.all!.seq).toBe(1);
    expect(alice.welcome.streams!['t:news']!.seq).toBe(0);
    // Nothing from before the welcome is delivered; the next push is position 2 of alice's stream.
    await gateway.push({ to: { users: ['alice'] }, data: 3 });
    const [push] = await alice.waitForPushes(1);
    expect(push).toMatchObject({ data: 3, pos: { 'u:alice': 2 } });
  });

  it('replays what a connection missed, each push once and in order, before any live push, then says so', async () => {
    const gateway = await startTestGateway();
    const first = await gateway.connect('alice', ['news']);
    await gateway.push({ to: { users: ['alice'] }, data: 'seen' });
    await first.waitForPushes(1);
    const seen = positionsSeen(first);
    await first.close();

    const missed = [
      { to: { users: ['alice'] }, data: 'm1' },
      { to: { tags: ['news'] }, data: 'm2' },
      { to: { all: true }, data: 'm3' },
      // Appended to two of her streams: replayed once, with both positions.
      { to: { users: ['alice'], tags: ['news'] }, data: 'm4' },
      { to: { users: ['bob'] }, data: 'not hers' },
    ];
    for (const body of missed) expect((await gateway.push(body)).status).toBe(202);

    const back = await reconnect(gateway, 'alice', ['news']);
    // Accepted after the welcome, before the resume: it waits for the replay (`?resume=1`).
    expect((await gateway.push({ to: { all: true }, data: 'l0' })).body.recipients).toBe(1);
    back.send({ type: 'resume', streams: seen });
    // Live pushes while the replay is under way: none may overtake or repeat a replayed one.
    const live = Promise.all([gateway.push({ to: { users: ['alice'] }, data: 'l1' }), gateway.push({ to: { tags: ['news'] }, data: 'l2' })]);
    await back.waitFor((frame) => frame.type === 'resumed');
    await live;
    await back.waitForPushes(7);

    const frames = back.frames.filter((frame) => frame.type !== 'welcome');
    const resumedAt = frames.findIndex((frame) => frame.type === 'resumed');
    expect(pushesIn(frames.slice(0, resumedAt)).map((push) => push.data)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(pushesIn(frames.slice(resumedAt)).map((push) => push.data).sort()).toEqual(['l0', 'l1', 'l2']);
    const byData = new Map(pushesIn(frames).map((push) => [push.data, push]));
    const alicePos = seen['u:alice']!.seq;
    const newsPos = seen['t:news']!.seq;
    expect(byData.get('m1')!.pos).toEqual({ 'u:alice': alicePos + 1 });
    expect(byData.get('m4')!.pos).toEqual({ 'u:alice': alicePos + 2, 't:news': newsPos + 2 });
    expect(byData.get('m3')!.pos).toEqual({ all: seen.all!.seq + 1 });
    expect(byData.get('l1')!.pos).toEqual({ 'u:alice': alicePos + 3 });
    expect(resumedIn(frames)!.streams).toEqual({
      'u:alice': { recovered: true, replayed: 2, epoch: seen['u:alice']!.epoch, seq: alicePos + 2 },
      't:news': { recovered: true, replayed: 2, epoch: seen['t:news']!.epoch, seq: newsPos + 2 },
      all: { recovered: true, replayed: 1, epoch: seen.all!.epoch, seq: seen.all!.seq + 1 },
    });
    await back.close();
  });

  it('says which streams it could not recover, and replays what it still holds of them', async () => {
    const gateway = await startTestGateway({ history: { size: 2, ttlMs: 60_000, maxBytes: 1024 * 1024 } });
    const first = await gateway.connect('alice');
    const seen = positionsSeen(first);
    await first.close();
    for (let i = 1; i <= 4; i += 1) await gateway.push({ to: { users: ['alice'] }, data: i });

    const back = await reconnect(gateway, 'alice', []);
    back.send({ type: 'resume', streams: { ...seen, all: { epoch: 'an-epoch-long-gone', seq: 7 }, 't:other': seen.all } });
    const resumed = (await back.waitFor((frame) => frame.type === 'resumed')) as ResumedFrame;
    expect(resumed.streams['u:alice']).toEqual({ recovered: false, replayed: 2, epoch: seen['u:alice']!.epoch, seq: 4, reason: 'gap older than the history' });
    expect(resumed.streams.all).toMatchObject({ recovered: false, replayed: 0, epoch: seen.all!.epoch, seq: 0, reason: expect.stringMatching(/epoch/) });
    // A stream the connection does not hold is left out.
    expect(Object.keys(resumed.streams).sort()).toEqual(['all', 'u:alice']);
    expect(back.pushes().map((push) => push.data)).toEqual([3, 4]);
    const metrics = await (await fetch(`${gateway.http}/metrics`)).text();
    expect(metrics).toMatch(/^wsgw_resumes_total\{result="gap"\} 1$/m);
    expect(metrics).toMatch(/^wsgw_resumes_total\{result="unknown_epoch"\} 1$/m);
    expect(metrics).toMatch(/^wsgw_replayed_pushes_total 2$/m);
    expect(metrics).toMatch(/^wsgw_replay_duration_seconds_count 1$/m);
    expect(metrics).toMatch(/^wsgw_history_messages 2$/m);
    await back.close();
  });

  it('resumes a connection that did not announce it, without repeating what reached it live', async () => {
    const gateway = await startTestGateway();
    const first = await gateway.connect('alice');
    const seen = positionsSeen(first);
    await first.close();
    await gateway.push({ to: { users: ['alice'] }, data: 'missed' });
    const back = await reconnect(gateway, 'alice', [], '');
    // Reaches the connection live, before its resume: the replay stops at the welcome's positions.
    await gateway.push({ to: { users: ['alice'] }, data: 'live' });
    await back.waitForPushes(1);
    back.send({ type: 'resume', streams: seen });
    const resumed = (await back.waitFor((frame) => frame.type === 'resumed')) as ResumedFrame;
    expect(resumed.streams['u:alice']).toMatchObject({ recovered: true, replayed: 1, seq: 1 });
    expect(back.pushes().map((push) => push.data)).toEqual(['live', 'missed']);
    await back.close();
  });

  it('answers a resume that is not the first frame, or is malformed, with an error and stays open', async () => {
    const gateway = await startTestGateway();
    const alice = await gateway.connect('alice');
    alice.send({ type: 'resume', streams: { all: { epoch: 'e', seq: 'one' } } });
    await alice.waitFor((frame) => frame.type === 'error' && /resume needs "streams"/.test(frame.error));
    alice.send({ type: 'resume', streams: positionsSeen(alice) });
    await alice.waitFor((frame) => frame.type === 'resumed');
    alice.send({ type: 'resume', streams: positionsSeen(alice) });
    await alice.waitFor((frame) => frame.type === 'error' && frame.error === "resume must be the connection's first frame");
    await gateway.push({ to: { users: ['alice'] }, data: 'still open' });
    expect((await alice.waitForPushes(1)).map((push) => push.data)).toEqual(['still open']);
    const refused = await gateway.refusal('?resume=yes');
    expect(refused).toMatchObject({ status: 400, body: { error: 'resume must be 1 or 0 (given once)' } });
  });
});
