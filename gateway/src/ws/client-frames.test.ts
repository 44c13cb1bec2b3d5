import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '../protocol.ts';
import { connectClient } from '../testing/test-client.ts';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();
const TOKEN_SHAPE = 'token needs "token": the new token as a string of 1 to 16384 characters';

describe('client frames', () => {
  it('answers ping with pong', async () => {
    const gateway = await startTestGateway();
    const client = await gateway.connect('alice');
    const before = Date.now();
    client.send({ type: 'ping' });
    const pong = await client.waitFor((frame) => frame.type === 'pong');
    expect(pong).toEqual({ type: 'pong', ts: expect.any(Number) });
    expect((pong as { ts: number }).ts).toBeGreaterThanOrEqual(before);
  });

  it('records acks', async () => {
    const gateway = await startTestGateway();
    const client = await gateway.connect('alice');
    const { body } = await gateway.push({ to: { users: ['alice'] }, data: 1 });
    await client.waitForPushes(1);
    client.send({ type: 'ack', id: body.id });
    client.send({ type: 'ping' });
    await client.waitFor((frame) => frame.type === 'pong');
    expect((await gateway.api('GET', '/api/stats')).body.acks).toBe(1);
  });

  it.each([
    ['invalid JSON', 'not json', 'frame is not valid JSON'],
    ['an unknown type', { type: 'subscribe' }, 'unknown frame type "subscribe"'],
    ['a non-object', '[1,2]', 'frame must be a JSON object'],
    ['an ack without id', { type: 'ack' }, 'ack needs the push id as a string'],
    ['a token frame without a token', { type: 'token' }, TOKEN_SHAPE],
    ['a token frame with a number', { type: 'token', token: 5 }, TOKEN_SHAPE],
    ['a token frame with an empty token', { type: 'token', token: '' }, TOKEN_SHAPE],
    ['a token frame with a token over 16,384 characters', { type: 'token', token: 'a'.repeat(16_385) }, TOKEN_SHAPE],
  ])('answers %s with an error frame and stays open', async (_name, frame, error) => {
    const gateway = await startTestGateway();
    const client = await gateway.connect('alice');
    client.send(frame);
    expect(await client.waitFor((f) => f.type === 'error')).toEqual({ type: 'error', error });
    client.send({ type: 'ping' });
    await client.waitFor((f) => f.type === 'pong');
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('answers binary frames with an error', async () => {
    const gateway = await startTestGateway();
    const client = await gateway.connect('alice');
    client.ws.send(Buffer.from([1, 2, 3]));
    expect(await client.waitFor((f) => f.type === 'error')).toEqual({ type: 'error', error: 'binary frames are not supported' });
  });

  it('closes a client that keeps sending bad frames with 1008', async () => {
    const gateway = await startTestGateway({ maxInvalidFrames: 5 });
    const client = await gateway.connect('alice');
    for (let i = 0; i < 10; i += 1) client.send('bad');
    expect(await client.closed).toEqual({ code: CloseCode.PolicyViolation, reason: 'too many invalid frames' });
    expect(client.frames.filter((f) => f.type === 'error')).toHaveLength(5);
    expect((await gateway.api('GET', '/api/stats')).body.connectionsClosed.policy).toBe(1);
  });

  it('closes a client over the inbound rate limit with 1008', async () => {
    const gateway = await startTestGateway({ inboundRate: 10 });
    const client = await gateway.connect('alice');
    for (let i = 0; i < 50; i += 1) client.send({ type: 'ping' });
    expect(await client.closed).toEqual({ code: CloseCode.PolicyViolation, reason: 'inbound rate limit exceeded' });
  });

  it.each(['ping', 'pong'] as const)('closes a client flooding protocol %s frames with 1008, and no one else', async (kind) => {
    const gateway = await startTestGateway();
    const healthy = await gateway.connect('bob');
    const flooder = await gateway.connect('alice');
    let pongs = 0;
    flooder.ws.on('pong', () => (pongs += 1));
    for (let i = 0; i < 20_000; i += 1) flooder.ws[kind]();
    expect(await flooder.closed).toEqual({ code: CloseCode.PolicyViolation, reason: 'inbound rate limit exceeded' });
    // Pings within the allowance (bursts of twice the rate) were answered, the rest were not.
    expect(pongs).toBeLessThanOrEqual(kind === 'ping' ? gateway.config.inboundRate * 3 : 0);
    if (kind === 'ping') expect(pongs).toBeGreaterThan(0);
    const { body } = await gateway.push({ to: { users: ['bob'] }, data: 'still here' });
    expect((await healthy.waitForPushes(1))[0]).toMatchObject({ id: body.id, data: 'still here' });
    await expect.poll(async () => (await gateway.api('GET', '/api/stats')).body.connectionsClosed.policy).toBe(1);
  });

  it('closes a client sending a frame over the maximum size with 1009', async () => {
    const gateway = await startTestGateway({ maxFrameBytes: 1024 });
    const client = await gateway.connect('alice');
    client.send({ type: 'ping', pad: 'x'.repeat(2048) });
    expect((await client.closed).code).toBe(CloseCode.MessageTooBig);
    await expect.poll(async () => (await gateway.api('GET', '/api/stats')).body.connections, { timeout: 3000, interval: 20 }).toBe(0);
    expect((await gateway.api('GET', '/api/stats')).body.connectionsClosed.policy).toBe(1);
  });

  it('terminates a connection that does not answer heartbeat pings', async () => {
    const gateway = await startTestGateway({ heartbeatMs: 100 });
    const silent = await connectClient(`${gateway.wsUrl}?token=${await gateway.token('mute')}`, {}, { autoPong: false });
    const lively = await gateway.connect('alice');
    const closed = await silent.closed;
    expect(closed.code).toBe(1006);
    expect(lively.ws.readyState).toBe(WebSocket.OPEN);
    const { body } = await gateway.api('GET', '/api/stats');
    expect(body.connectionsClosed.timeout).toBe(1);
    expect(body.connections).toBe(1);
  });
});
