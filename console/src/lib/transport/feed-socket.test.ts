import type { ConsoleSnapshot } from '@wsgw/gateway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFeedServer, until, type FeedServer } from '../testing/feed-server.ts';
import { snapshotAt } from '../testing/snapshot-fixture.ts';
import { createFeedSocket, type FeedSocket, type FeedStatus } from './feed-socket.ts';
import { feedProtocols } from './token-protocol.ts';

let feed: FeedSocket | undefined;
let server: FeedServer | undefined;

afterEach(async () => {
  feed?.stop();
  await server?.close();
  feed = server = undefined;
});

function openFeed(url: string, token: string, extra: { silenceMs?: number } = {}) {
  const snapshots: ConsoleSnapshot[] = [];
  const statuses: FeedStatus[] = [];
  feed = createFeedSocket({
    url,
    token,
    WebSocketImpl: WebSocket,
    backoff: { initialMs: 20, maxMs: 50 },
    onSnapshot: (s) => snapshots.push(s),
    onStatus: (s) => statuses.push(s),
    ...extra,
  });
  feed.start();
  return { feed, snapshots, statuses };
}

describe('createFeedSocket', () => {
  it('offers the feed and token subprotocols and delivers snapshot frames, skipping anything else', async () => {
    server = await startFeedServer('operator-token-0123456789');
    const { snapshots, statuses } = openFeed(server.url, 'operator-token-0123456789');
    await until(() => server!.connected.length === 1);
    expect(server.offered[0]).toEqual(feedProtocols('operator-token-0123456789'));
    const socket = server.connected[0]!;
    socket.send('not json');
    socket.send(JSON.stringify({ type: 'pong', ts: 1 }));
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    socket.send(JSON.stringify(snapshotAt(1000)));
    await until(() => snapshots.length === 1);
    expect(snapshots[0]!.at).toBe(1000);
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'open', 'open']);
    expect(feed!.status.lastSnapshotAt).toBeGreaterThan(0);
  });

  it('reconnects after the server closes, and a snapshot resets the backoff', async () => {
    server = await startFeedServer('t');
    const { snapshots, statuses } = openFeed(server.url, 't');
    await until(() => server!.connected.length === 1);
    server.connected[0]!.close(1001, 'going away');
    await until(() => statuses.some((s) => s.state === 'disconnected'));
    const lost = statuses.find((s) => s.state === 'disconnected')!;
    expect(lost.closeCode).toBe(1001);
    expect(lost.failures).toBe(1);
    expect(lost.retryAt).toBeGreaterThan(0);
    await until(() => server!.connected.length === 2);
    server.connected[1]!.send(JSON.stringify(snapshotAt(2000)));
    await until(() => snapshots.length === 1);
    expect(feed!.status).toMatchObject({ state: 'open', failures: 0 });
  });

  it('keeps retrying a refused upgrade, reporting close 1006', async () => {
    server = await startFeedServer('right');
    const { statuses } = openFeed(server.url, 'wrong');
    await until(() => statuses.filter((s) => s.state === 'disconnected').length >= 3);
    const failures = statuses.filter((s) => s.state === 'disconnected');
    expect(failures.slice(0, 3).map((s) => s.failures)).toEqual([1, 2, 3]);
    expect(failures[0]!.closeCode).toBe(1006);
    expect(server.connected).toHaveLength(0);
  });

  it('replaces a socket that stays silent, ignoring whatever the old one still sends', async () => {
    server = await startFeedServer('t');
    const { snapshots, statuses } = openFeed(server.url, 't', { silenceMs: 150 });
    await until(() => server!.connected.length === 2, 3000);
    expect(statuses.some((s) => s.state === 'disconnected' && s.closeCode === undefined)).toBe(true);
    // The first socket was given up on: its frames no longer count.
    const [old] = server.connected;
    if (old?.readyState === WebSocket.OPEN) old.send(JSON.stringify(snapshotAt(1)));
    server.connected[1]!.send(JSON.stringify(snapshotAt(2)));
    await until(() => snapshots.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(snapshots.map((s) => s.at)).toEqual([2]);
  });

  it('stops for good on stop(): the socket closes and no retry follows', async () => {
    server = await startFeedServer('t');
    const { statuses } = openFeed(server.url, 't');
    await until(() => server!.connected.length === 1);
    const closed = new Promise<number>((resolve) => server!.connected[0]!.once('close', (code) => resolve(code)));
    feed!.stop();
    expect(await closed).toBe(1000);
    expect(feed!.status).toMatchObject({ state: 'disconnected', retryAt: undefined });
    const seen = statuses.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.connected).toHaveLength(1);
    expect(statuses).toHaveLength(seen);
  });
});
