import type { ConsoleSnapshot } from '@wsgw/gateway/protocol';
import { useTestGateways, type TestGateway } from '@wsgw/gateway/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { recordSockets } from '../testing/recorded-sockets.ts';
import { snapshotAt } from '../testing/snapshot-fixture.ts';
import { createFeedSocket, type FeedSocket, type FeedStatus, type WebSocketConstructor } from './feed-socket.ts';

const startGateway = useTestGateways();
let feed: FeedSocket | undefined;
afterEach(() => {
  feed?.stop();
  feed = undefined;
});

const feedUrl = (gateway: TestGateway) => `${gateway.http.replace(/^http/, 'ws')}/api/console/feed`;

function watch(url: string, token: string, extra: { silenceMs?: number; WebSocketImpl?: WebSocketConstructor } = {}) {
  const snapshots: ConsoleSnapshot[] = [];
  const statuses: FeedStatus[] = [];
  feed = createFeedSocket({
    url,
    token,
    WebSocketImpl: WebSocket,
    backoff: { initialMs: 20, maxMs: 100 },
    onSnapshot: (s) => snapshots.push(s),
    onStatus: (s) => statuses.push(s),
    ...extra,
  });
  feed.start();
  return { snapshots, statuses };
}

describe('createFeedSocket against a gateway', () => {
  it('receives the gateway’s snapshots with the operator token', async () => {
    const gateway = await startGateway();
    await gateway.connect('alice');
    const { snapshots, statuses } = watch(feedUrl(gateway), gateway.config.adminToken!);
    await expect.poll(() => snapshots.some((s) => s.totals.connections === 1), { timeout: 5000 }).toBe(true);
    expect(snapshots[0]!.node).toBe(gateway.config.nodeId);
    expect(statuses.map((s) => s.state).slice(0, 2)).toEqual(['connecting', 'open']);
    expect(feed!.status.lastSnapshotAt).toBeGreaterThan(0);
  });

  it('keeps retrying, with growing failure counts, when the gateway refuses the token', async () => {
    const gateway = await startGateway();
    const { snapshots, statuses } = watch(feedUrl(gateway), 'not-the-operator-token');
    await expect.poll(() => statuses.filter((s) => s.state === 'disconnected').length >= 3, { timeout: 5000 }).toBe(true);
    const failures = statuses.filter((s) => s.state === 'disconnected');
    expect(failures.slice(0, 3).map((s) => s.failures)).toEqual([1, 2, 3]);
    expect(failures[0]!.closeCode).toBe(1006);
    expect(snapshots).toHaveLength(0);
  });

  it('reports the loss when the gateway stops (1001) and recovers when it returns on the same port', async () => {
    const gateway = await startGateway();
    const { snapshots, statuses } = watch(feedUrl(gateway), gateway.config.adminToken!);
    await expect.poll(() => snapshots.length > 0, { timeout: 5000 }).toBe(true);
    const { adminToken, apiKey, jwtSecret } = gateway.config;
    const port = Number(new URL(gateway.http).port);
    await gateway.close();
    await expect.poll(() => feed!.status.state === 'disconnected', { timeout: 5000 }).toBe(true);
    expect(statuses.find((s) => s.state === 'disconnected')!.closeCode).toBe(1001);

    const back = await startGateway({ port, adminToken, apiKey, jwtSecret, nodeId: 'returned' });
    await expect.poll(() => snapshots.some((s) => s.node === 'returned'), { timeout: 10_000 }).toBe(true);
    expect(feed!.status).toMatchObject({ state: 'open', failures: 0 });
    await back.close();
  });

  it('gives up on a peer that goes quiet and ignores what the old socket still sends', async () => {
    // A half-dead connection: the upgrade succeeds, then nothing ever arrives.
    const quiet = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (offered) => [...offered][0] ?? false });
    await new Promise((resolve) => quiet.once('listening', resolve));
    const sockets: WebSocket[] = [];
    // It reads nothing either, so the old socket stays open on its side after the feed has given
    // up on it, and can still send.
    quiet.on('connection', (socket) => {
      socket.pause();
      sockets.push(socket);
    });
    try {
      const { port } = quiet.address() as { port: number };
      const recorded = recordSockets();
      const { snapshots, statuses } = watch(`ws://127.0.0.1:${port}/api/console/feed`, 't', { silenceMs: 150, WebSocketImpl: recorded.WebSocketImpl });
      await expect.poll(() => sockets.length === 2, { timeout: 3000 }).toBe(true);
      expect(statuses.some((s) => s.state === 'disconnected' && s.closeCode === undefined)).toBe(true);
      // The old socket's snapshot is followed by a marker on the same socket: the feed has handled
      // the snapshot (and ignored it) by the time the marker reaches a listener added after its own.
      const old = recorded.sockets[0]!;
      const marked = new Promise<void>((resolve) => old.on('message', (data) => String(data) === 'marker' && resolve()));
      sockets[0]!.send(JSON.stringify(snapshotAt(1)));
      sockets[0]!.send('marker');
      sockets[1]!.send(JSON.stringify(snapshotAt(2)));
      await expect.poll(() => snapshots.length >= 1, { timeout: 5000 }).toBe(true);
      await marked;
      expect(snapshots.map((s) => s.at)).toEqual([2]);
    } finally {
      for (const socket of sockets) socket.terminate();
      await new Promise((resolve) => quiet.close(resolve));
    }
  });

  it('stops for good on stop(): no retry follows', async () => {
    const gateway = await startGateway();
    const recorded = recordSockets();
    const { snapshots, statuses } = watch(feedUrl(gateway), gateway.config.adminToken!, { WebSocketImpl: recorded.WebSocketImpl });
    await expect.poll(() => snapshots.length > 0, { timeout: 5000 }).toBe(true);
    feed!.stop();
    expect(feed!.status).toMatchObject({ state: 'disconnected', retryAt: undefined });
    const seen = [statuses.length, snapshots.length];
    // Only a loss schedules a retry, and a loss shows in the status at once: once the socket's close
    // has been through the feed, nothing is left that could start another.
    await recorded.closed(recorded.sockets.at(-1)!);
    expect([statuses.length, snapshots.length]).toEqual(seen);
    expect(feed!.status.retryAt).toBeUndefined();
    expect(recorded.sockets).toHaveLength(1);
  });
});
