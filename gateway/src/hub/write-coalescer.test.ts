import { describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import type { TestClient } from '../testing/test-client.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';
import { ROUND_BYTES } from './write-coalescer.ts';

const startTestGateway = useTestGateways();

type CountedSocket = { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void };

/** Counts the writes that reach the socket's handle (one syscall each) on the server side. */
function countWrites(socket: unknown): { writes: number } {
  const counted = socket as CountedSocket;
  const counter = { writes: 0 };
  for (const method of ['_write', '_writev'] as const) {
    const original = counted[method].bind(counted);
    counted[method] = (...args: unknown[]) => {
      counter.writes += 1;
      original(...args);
    };
  }
  return counter;
}

describe('write coalescing', () => {
  it('writes a burst of pushes to one socket in one write, in order', async () => {
    const gateway = await startTestGateway();
    const client = await gateway.connect('alice');
    const [connection] = [...gateway.server.hub.connections()];
    const counter = countWrites(connection!.socket);
    const pushes = Array.from({ length: 20 }, (_, i) => ({ to: { users: ['alice'] }, data: i }));
    const { body } = await gateway.api('POST', '/api/push/batch', { pushes });
    expect(body.results.every((r: { recipients: number }) => r.recipients === 1)).toBe(true);
    expect((await client.waitForPushes(20)).map((f) => f.data)).toEqual(pushes.map((p) => p.data));
    expect(counter.writes).toBe(1);
  });

  it('writes one frame per socket for a single push', async () => {
    const gateway = await startTestGateway();
    const clients = await Promise.all([gateway.connect('a'), gateway.connect('b'), gateway.connect('c')]);
    const counters = [...gateway.server.hub.connections()].map((c) => countWrites(c.socket));
    await gateway.push({ to: { all: true }, data: 'x' });
    for (const client of clients) await client.waitForPushes(1);
    expect(counters.map((c) => c.writes)).toEqual([1, 1, 1]);
  });

  it('writes the first push of a loop turn at once and coalesces the rest of the turn', async () => {
    const gateway = await startTestGateway();
    const client = await gateway.connect('alice');
    const [connection] = [...gateway.server.hub.connections()];
    const counter = countWrites(connection!.socket);
    const to = { users: ['alice'], tags: [], all: false };
    for (let i = 0; i < 5; i += 1) {
      gateway.server.hub.deliver({ id: `p${i}`, ts: Date.now(), acceptedAt: Date.now(), publishedAt: Date.now(), to, payload: String(i) });
      if (i === 0) expect(counter.writes).toBe(1);
    }
    expect(counter.writes).toBe(1);
    expect((await client.waitForPushes(5)).map((f) => f.data)).toEqual([0, 1, 2, 3, 4]);
    expect(counter.writes).toBe(2);
  });

  /** Pauses the client and pushes 60 KiB frames until some wait in the connection's own queue (at most 30 MiB). */
  const stallUntilQueued = async (gateway: TestGateway, client: TestClient) => {
    const { hub } = gateway.server;
    const [connection] = [...hub.connections()];
    // Bytes in the connection's own queue: what the hub holds beyond what Node's socket buffers.
    const queuedBytes = () => hub.bufferedBytes(connection!) - connection!.socket.writableLength;
    (client.ws as unknown as { _socket: Socket })._socket.pause();
    const chunk = 'z'.repeat(60 * 1024);
    let sent = 0;
    let peakSocketBytes = 0;
    for (let round = 0; round < 50 && queuedBytes() === 0; round += 1) {
      const pushes = Array.from({ length: 10 }, (_, i) => ({ to: { users: [client.welcome.user] }, data: { n: sent + i, chunk } }));
      await gateway.api('POST', '/api/push/batch', { pushes });
      sent += pushes.length;
      peakSocketBytes = Math.max(peakSocketBytes, connection!.socket.writableLength);
    }
    expect(queuedBytes()).toBeGreaterThan(0);
    // Node's buffer holds at most one round past the high-water mark, plus the frame that crossed it.
    expect(peakSocketBytes).toBeLessThanOrEqual(connection!.socket.writableHighWaterMark + ROUND_BYTES + 62 * 1024);
    return { sent, resume: () => (client.ws as unknown as { _socket: Socket })._socket.resume() };
  };
  const inOrder = (count: number) => Array.from({ length: count }, (_, n) => n);

  it('keeps what a socket cannot take in the queue, not in the socket, and writes it in order once it drains', async () => {
    const gateway = await startTestGateway({ slowConsumerBytes: 64 * 1024 * 1024 });
    const client = await gateway.connect('alice');
    const { sent, resume } = await stallUntilQueued(gateway, client);
    resume();
    const received = await client.waitForPushes(sent, 20_000);
    expect(received.map((frame) => (frame.data as { n: number }).n)).toEqual(inOrder(sent));
    const stats = (await gateway.api('GET', '/api/stats')).body;
    expect(stats.deliveries).toBe(sent);
    expect(stats.drops).toEqual({ slow_consumer: 0, closed: 0 });
  }, 30_000);

  it('writes a queued backlog before the close frame when a connection is disconnected', async () => {
    const gateway = await startTestGateway({ slowConsumerBytes: 64 * 1024 * 1024 });
    const client = await gateway.connect('bob');
    const { sent, resume } = await stallUntilQueued(gateway, client);
    expect((await gateway.api('POST', '/api/users/bob/disconnect')).body).toEqual({ disconnected: 1 });
    resume();
    expect(await client.closed).toEqual({ code: 4001, reason: 'disconnected by the server' });
    expect(client.pushes().map((frame) => (frame.data as { n: number }).n)).toEqual(inOrder(sent));
    expect((await gateway.api('GET', '/api/stats')).body.deliveries).toBe(sent);
  }, 30_000);
});
