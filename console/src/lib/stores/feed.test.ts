import { afterEach, describe, expect, it } from 'vitest';
import { useTestGateways } from '@wsgw/gateway/testing';
import { recordSockets } from '../testing/recorded-sockets.ts';
import { nodeReport, snapshotAt } from '../testing/snapshot-fixture.ts';
import type { FeedStatus } from '../transport/feed-socket.ts';
import { createFeedStore, type FeedStore } from './feed.svelte.ts';

const T0 = 1_700_000_000_000;

const startGateway = useTestGateways();
let feed: FeedStore | undefined;

afterEach(() => {
  feed?.stop();
  feed = undefined;
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

  it('follows a gateway: snapshots flow in, and each loss of the feed is reported once', async () => {
    const gateway = await startGateway();
    await gateway.connect('alice');
    const lost: FeedStatus[] = [];
    const recorded = recordSockets();
    feed = createFeedStore({
      url: `${gateway.http.replace(/^http/, 'ws')}/api/console/feed`,
      token: gateway.config.adminToken!,
      WebSocketImpl: recorded.WebSocketImpl,
      backoff: { initialMs: 20, maxMs: 40 },
      onDisconnected: (status) => lost.push(status),
    });
    feed.start();
    // Nodes report once a second: the first snapshot may predate the connection.
    await expect.poll(() => feed!.snapshot?.totals.connections === 1, { timeout: 5000 }).toBe(true);
    expect(feed.status.state).toBe('open');
    expect(feed.history.connections.at(-1)).toBe(1);

    await gateway.close();
    await expect.poll(() => lost.length === 1, { timeout: 5000 }).toBe(true);
    expect(lost[0]!.closeCode).toBe(1001);
    // The retries against the stopped gateway are the same loss.
    await expect.poll(() => feed!.status.failures >= 5, { timeout: 5000 }).toBe(true);
    expect(lost).toHaveLength(1);

    // Stopping is not a loss: not even once the last socket's close has been through the feed.
    feed.stop();
    await recorded.closed(recorded.sockets.at(-1)!);
    expect(lost).toHaveLength(1);
    expect(feed.status).toMatchObject({ state: 'disconnected', retryAt: undefined });
  });
});
