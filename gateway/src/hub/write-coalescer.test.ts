import { describe, expect, it } from 'vitest';
import { useTestGateways } from '../testing/test-gateway.ts';

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
});
