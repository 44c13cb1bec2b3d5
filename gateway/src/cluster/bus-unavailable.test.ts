import { describe, expect, it } from 'vitest';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

// Port 1 on loopback refuses connections: a bus that is down from the start.
describe.each([['nats', 'nats://127.0.0.1:1'], ['redis', 'redis://127.0.0.1:1']])('with %s down at start', (_name, bus) => {
  it('starts, says why it is not ready, refuses pushes with 503, and keeps its own connections', async () => {
    const gateway = await startTestGateway({ bus, busPrefix: 'wsgw-test-down' });
    const ready = await fetch(`${gateway.http}/ready`);
    expect(ready.status).toBe(503);
    expect((await ready.json()) as { error: string }).toEqual({ error: expect.stringMatching(/^bus unavailable: /) });
    const client = await gateway.connect('alice');
    const refused = await gateway.push({ to: { users: ['alice'] }, data: 1 });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatch(/^bus unavailable: /);
    const batch = await gateway.api('POST', '/api/push/batch', { pushes: [{ to: { users: ['alice'] }, data: 2 }] });
    expect(batch.body.results[0].error).toBeDefined();
    expect(client.pushes()).toEqual([]);
    client.send({ type: 'ping' });
    await client.waitFor((frame) => frame.type === 'pong');
    expect((await gateway.api('GET', '/api/stats')).body.pushes.errors).toBe(2);
  });
});
