import { describe, expect, it } from 'vitest';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

// Port 1 on loopback refuses connections: a bus that is down from the start.
describe.each([['nats', 'nats://127.0.0.1:1'], ['redis', 'redis://127.0.0.1:1']])('with %s down at start', (_name, bus) => {
  it('starts, says why it is not ready, keeps delivering locally, and answers 503 for what the bus missed', async () => {
    const gateway = await startTestGateway({ bus, busPrefix: 'wsgw-test-down' });
    const ready = await fetch(`${gateway.http}/ready`);
    expect(ready.status).toBe(503);
    expect((await ready.json()) as { error: string }).toEqual({ error: expect.stringMatching(/^bus unavailable: /) });
    const client = await gateway.connect('alice');

    const refused = await gateway.push({ to: { users: ['alice'] }, data: 1, id: 'p-1' });
    expect(refused).toEqual({ status: 503, body: { error: expect.stringMatching(/^bus unavailable: /), id: 'p-1', recipients: 1 } });
    await client.waitForPushes(1);
    // The retry under the same id only tries the bus again: the local connection is not served twice.
    expect((await gateway.push({ to: { users: ['alice'] }, data: 1, id: 'p-1' })).status).toBe(503);

    const batch = await gateway.api('POST', '/api/push/batch', { pushes: [{ to: { users: ['alice'] }, data: 2 }] });
    expect(batch.body.results[0].error).toMatch(/./);
    // A trailing marker, delivered locally like the others: a second copy of either would precede it.
    expect((await gateway.push({ to: { users: ['alice'] }, data: 'marker' })).status).toBe(503);
    await client.waitFor((frame) => frame.type === 'push' && frame.data === 'marker');
    expect(client.pushes().map((frame) => frame.data)).toEqual([1, 2, 'marker']);
    client.send({ type: 'ping' });
    await client.waitFor((frame) => frame.type === 'pong');
    // Every push the bus refused: p-1, its retry, the batch's one and the marker.
    expect((await gateway.api('GET', '/api/stats')).body.pushes.errors).toBe(4);
  });
});
