import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFeedServer, until, type FeedServer } from '../testing/feed-server.ts';
import { nodeReport, snapshotAt } from '../testing/snapshot-fixture.ts';
import type { FeedStatus } from '../transport/feed-socket.ts';
import { createFeedStore, type FeedStore } from './feed.svelte.ts';

const T0 = 1_700_000_000_000;

let server: FeedServer | undefined;
let feed: FeedStore | undefined;

afterEach(async () => {
  feed?.stop();
  await server?.close();
  server = feed = undefined;
});

describe('createFeedStore', () => {
  it('applies each snapshot to the latest view, the history, the tail and the buffered list', () => {
    feed = createFeedStore({ url: 'ws://127.0.0.1:9/unused', token: 't' });
    expect(feed.snapshot).toBeUndefined();

    const buffered = { id: 'c1', user: 'u1', node: 'n1', bufferedAmount: 4096, connectedAt: T0 };
    const push = { id: 'p1', target: 'all', recipients: 3, fanoutMs: 0.3, node: 'n1', at: T0 };
    feed.apply(snapshotAt(T0, [nodeReport({ connections: 3, mostBuffered: [buffered] })], { recentPushes: [push] }));
    expect(feed.mostBuffered).toEqual([buffered]);
    feed.apply(snapshotAt(T0 + 1000, [nodeReport({ connections: 4 })], { recentPushes: [push] }));

    expect(feed.snapshot?.totals.connections).toBe(4);
    expect(feed.history.connections).toEqual([3, 4]);
    expect(feed.tail).toEqual([push]);
    expect(feed.mostBuffered).toEqual([]);
    expect(feed.heatmap.columns).toHaveLength(30);
  });

  it('follows the socket: snapshots flow in, and each loss of the feed is reported once', async () => {
    server = await startFeedServer('t');
    const lost: FeedStatus[] = [];
    feed = createFeedStore({
      url: server.url,
      token: 't',
      WebSocketImpl: WebSocket,
      backoff: { initialMs: 20, maxMs: 40 },
      onDisconnected: (status) => lost.push(status),
    });
    feed.start();
    await until(() => server!.connected.length === 1);
    server.connected[0]!.send(JSON.stringify(snapshotAt(T0, [nodeReport({ connections: 7 })])));
    await until(() => feed!.snapshot !== undefined);
    expect(feed.status.state).toBe('open');
    expect(feed.history.connections).toEqual([7]);

    server.connected[0]!.close(1001);
    await until(() => server!.connected.length === 2);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.closeCode).toBe(1001);

    // Stopping is not a loss.
    feed.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lost).toHaveLength(1);
    expect(feed.status.state).toBe('disconnected');
  });
});
