import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../protocol.ts';
import type { TestClient } from '../testing/test-client.ts';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

const MiB = 1024 * 1024;
const socketOf = (client: TestClient) => (client.ws as unknown as { _socket: Socket })._socket;

describe('slow consumers', () => {
  it('closes clients that stop reading at the buffer limit and keeps server memory bounded', async () => {
    const gateway = await startTestGateway({ slowConsumerBytes: MiB });
    const slow: TestClient[] = [];
    for (let i = 0; i < 20; i += 1) slow.push(await gateway.connect(`slow-${i}`, ['slow']));
    const healthy = await gateway.connect('healthy');
    // Stop reading: the kernel buffers fill, then the gateway's per-socket write buffer grows.
    for (const client of slow) socketOf(client).pause();

    const frameBytes = 64 * 1024;
    const chunk = 'x'.repeat(frameBytes);
    const batch = { pushes: Array.from({ length: 10 }, (_, i) => ({ to: { tags: ['slow'] }, data: { i, chunk } })) };
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let peakBuffered = 0;
    const rounds = 60;
    // 60 batches × 10 pushes × 64 KiB to 20 clients ≈ 750 MiB offered to clients that read nothing.
    for (let round = 0; round < rounds; round += 1) {
      await gateway.api('POST', '/api/push/batch', batch);
      const { hub } = gateway.server;
      for (const connection of hub.connections()) peakBuffered = Math.max(peakBuffered, hub.bufferedBytes(connection));
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const offered = rounds * 10 * frameBytes * slow.length;
    expect(offered).toBeGreaterThan(700 * MiB);
    // No connection ever held more than the limit plus the frame that crossed it.
    expect(peakBuffered).toBeLessThanOrEqual(MiB + frameBytes + 1024);
    expect(peakRss - rssBefore).toBeLessThan(200 * MiB);

    const stats = (await gateway.api('GET', '/api/stats')).body;
    expect(stats.drops.slow_consumer).toBeGreaterThanOrEqual(slow.length);

    // Reading again, each reads what was already in flight, then the close frame: its queued backlog was dropped.
    for (const client of slow) socketOf(client).resume();
    for (const client of slow) expect(await client.closed).toEqual({ code: CloseCode.TryAgainLater, reason: 'slow consumer' });
    const after = (await gateway.api('GET', '/api/stats')).body;
    expect(after.connectionsClosed.slow_consumer).toBe(slow.length);
    expect(after.connections).toBe(1);

    await gateway.push({ to: { users: ['healthy'] }, data: 'still here' });
    expect((await healthy.waitForPushes(1))[0]!.data).toBe('still here');
  });

  it('tells a stalled client why it was cut: 1013 arrives even after it stalled past the close grace', async () => {
    const gateway = await startTestGateway({ slowConsumerBytes: MiB });
    const slow: TestClient[] = [];
    for (let i = 0; i < 20; i += 1) slow.push(await gateway.connect(`stalled-${i}`, ['stalled']));
    const healthy = await gateway.connect('healthy');
    for (const client of slow) socketOf(client).pause();

    const chunk = 'y'.repeat(64 * 1024);
    const batch = { pushes: Array.from({ length: 10 }, (_, i) => ({ to: { tags: ['stalled'] }, data: { i, chunk } })) };
    const { hub } = gateway.server;
    const cut = () => [...hub.connections()].filter((c) => hub.closeReasonOf(c) === 'slow_consumer').length;
    // Push until the gateway has cut every stalled client (bounded: at most 100 × 640 KiB per client).
    for (let round = 0; round < 100 && cut() < slow.length; round += 1) await gateway.api('POST', '/api/push/batch', batch);
    expect(cut()).toBe(slow.length);

    // Stay stalled longer than the 5 s a cut connection used to get before it was destroyed.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    for (const client of slow) socketOf(client).resume();
    const closes = await Promise.all(slow.map((client) => client.closed));
    const codes = closes.map((close) => close.code);
    expect(codes.filter((code) => code === CloseCode.TryAgainLater).length, `close codes ${codes.join(',')}`).toBe(slow.length);
    for (const close of closes) expect(close.reason).toBe('slow consumer');

    await gateway.push({ to: { users: ['healthy'] }, data: 'still here' });
    expect((await healthy.waitForPushes(1))[0]!.data).toBe('still here');
  }, 30_000);
});
