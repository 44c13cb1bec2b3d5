import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rawHttp } from '../testing/raw-http.ts';
import { closePayload, encodeClientFrame, Opcode, openRawWebSocket, Rsv, type ClientFrameOptions, type RawClose, type RawWebSocket } from '../testing/raw-websocket.ts';
import type { TestClient } from '../testing/test-client.ts';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.ts';

// One gateway with the default limits for every case: WSGW_MAX_FRAME_BYTES 65536,
// WSGW_INBOUND_RATE 50 (bursts of 100), WSGW_MAX_INVALID_FRAMES 10.
let gateway: TestGateway;
let healthy: TestClient;
let port: number;
let cases = 0;

beforeAll(async () => {
  gateway = await startTestGateway();
  healthy = await gateway.connect('healthy');
  port = Number(new URL(gateway.http).port);
});
afterAll(() => gateway.close());

// After every case: the offending connection is gone and the node still delivers to a healthy client.
afterEach(async () => {
  await expect.poll(() => gateway.server.hub.size).toBe(1);
  const marker = `after case ${cases}`;
  await gateway.push({ to: { users: ['healthy'] }, data: marker });
  await healthy.waitFor((frame) => frame.type === 'push' && frame.data === marker);
});

const frame = (options: ClientFrameOptions) => encodeClientFrame(options);
const text = (payload: string | Buffer, options: Partial<ClientFrameOptions> = {}) => frame({ opcode: Opcode.text, payload, ...options });
const PING_JSON = '{"type":"ping"}';
const PROTOCOL_ERROR: RawClose = { code: 1002, reason: '' };
const isJsonPong = (f: { opcode: number; payload: Buffer }) => f.opcode === Opcode.text && JSON.parse(f.payload.toString()).type === 'pong';

/** An authenticated raw connection that has received its welcome frame. */
async function connectRaw(): Promise<RawWebSocket> {
  cases += 1;
  const raw = await openRawWebSocket(port, '/ws', { authorization: `Bearer ${await gateway.token(`raw-${cases}`)}` });
  await raw.waitFor((f) => f.opcode === Opcode.text && JSON.parse(f.payload.toString()).type === 'welcome');
  return raw;
}

/** Sends the frames on a fresh connection and resolves with how the server closed it. */
async function closeAfter(...frames: Buffer[]): Promise<RawClose> {
  const raw = await connectRaw();
  raw.send(...frames);
  return raw.closed;
}

/** Sends the frames, expects a JSON pong (the connection still reads), then closes cleanly. */
async function stillReads(...frames: Buffer[]): Promise<void> {
  const raw = await connectRaw();
  raw.send(...frames);
  await raw.waitFor(isJsonPong);
  raw.send(frame({ opcode: Opcode.close, payload: closePayload(1000) }));
  expect(await raw.closed).toEqual({ code: 1000, reason: '' });
}

describe('framing and masking', () => {
  it('closes with 1002 on an unmasked client frame', async () => {
    expect(await closeAfter(text(PING_JSON, { masked: false }))).toEqual(PROTOCOL_ERROR);
  });

  it('closes with 1002 on an unmasked close frame', async () => {
    expect(await closeAfter(frame({ opcode: Opcode.close, payload: closePayload(1000), masked: false }))).toEqual(PROTOCOL_ERROR);
  });

  it('reads a frame whose header arrives byte by byte', async () => {
    const raw = await connectRaw();
    const bytes = text(PING_JSON);
    for (const byte of bytes) raw.send(Buffer.from([byte]));
    await raw.waitFor(isJsonPong);
    raw.destroy();
  });
});

describe('reserved bits and opcodes', () => {
  it.each([
    ['RSV1', Rsv.rsv1],
    ['RSV2', Rsv.rsv2],
    ['RSV3', Rsv.rsv3],
  ])('closes with 1002 when %s is set without an extension', async (_name, rsv) => {
    expect(await closeAfter(text(PING_JSON, { rsv }))).toEqual(PROTOCOL_ERROR);
  });

  it('closes with 1002 on RSV1 on a control frame and on a continuation', async () => {
    expect(await closeAfter(frame({ opcode: Opcode.ping, rsv: Rsv.rsv1 }))).toEqual(PROTOCOL_ERROR);
    expect(await closeAfter(text('{"type":', { fin: false }), frame({ opcode: Opcode.continuation, payload: '"ping"}', rsv: Rsv.rsv1 }))).toEqual(PROTOCOL_ERROR);
  });

  const reserved = [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf].map((opcode) => [`0x${opcode.toString(16)}`, opcode] as const);
  it.each(reserved)('closes with 1002 on reserved opcode %s', async (_name, opcode) => {
    expect(await closeAfter(frame({ opcode, payload: 'x' }))).toEqual(PROTOCOL_ERROR);
  });
});

describe('fragmentation', () => {
  it('closes with 1002 on a continuation frame with no message to continue', async () => {
    expect(await closeAfter(frame({ opcode: Opcode.continuation, payload: PING_JSON }))).toEqual(PROTOCOL_ERROR);
  });

  it('closes with 1002 on a new data frame inside a fragmented message', async () => {
    expect(await closeAfter(text('{"type":', { fin: false }), text(PING_JSON))).toEqual(PROTOCOL_ERROR);
    expect(await closeAfter(text('{"type":', { fin: false }), frame({ opcode: Opcode.binary, payload: 'x' }))).toEqual(PROTOCOL_ERROR);
  });

  it('reassembles a fragmented message, with a ping between its fragments', async () => {
    const raw = await connectRaw();
    raw.send(text('{"type":', { fin: false }), frame({ opcode: Opcode.ping, payload: 'between' }), frame({ opcode: Opcode.continuation, payload: '"ping"}' }));
    const pong = await raw.waitFor((f) => f.opcode === Opcode.pong);
    expect(pong.payload.toString()).toBe('between');
    await raw.waitFor(isJsonPong);
    raw.destroy();
  });

  it('closes with 1008 on a message split into more than 16,384 fragments', async () => {
    const fragments = [text('', { fin: false })];
    for (let i = 0; i < 16_384; i += 1) fragments.push(frame({ opcode: Opcode.continuation, fin: false }));
    expect(await closeAfter(...fragments)).toEqual({ code: 1008, reason: '' });
  });
});

describe('control frames', () => {
  it('closes with 1002 on a fragmented control frame', async () => {
    expect(await closeAfter(frame({ opcode: Opcode.ping, payload: 'x', fin: false }))).toEqual(PROTOCOL_ERROR);
    expect(await closeAfter(frame({ opcode: Opcode.close, payload: closePayload(1000), fin: false }))).toEqual(PROTOCOL_ERROR);
  });

  it('closes with 1002 on a control frame payload over 125 bytes', async () => {
    expect(await closeAfter(frame({ opcode: Opcode.ping, payload: 'p'.repeat(126) }))).toEqual(PROTOCOL_ERROR);
    expect(await closeAfter(frame({ opcode: Opcode.close, payload: closePayload(1000, 'r'.repeat(124)) }))).toEqual(PROTOCOL_ERROR);
  });

  it('answers a 125-byte ping with the same payload and ignores an unasked pong', async () => {
    const raw = await connectRaw();
    const payload = 'p'.repeat(125);
    raw.send(frame({ opcode: Opcode.pong, payload: 'unasked' }), frame({ opcode: Opcode.ping, payload }), text(PING_JSON));
    expect((await raw.waitFor((f) => f.opcode === Opcode.pong)).payload.toString()).toBe(payload);
    await raw.waitFor(isJsonPong);
    raw.destroy();
  });
});

describe('lengths', () => {
  it.each([
    ['a 64-bit length with the most significant bit set', 1n << 63n],
    ['a 64-bit length beyond 2^53 - 1', 1n << 53n],
    ['a header declaring more than WSGW_MAX_FRAME_BYTES (4 GiB), before any payload', 4n << 30n],
  ])('closes with 1009 on %s', async (_name, declaredLength) => {
    expect(await closeAfter(text('', { lengthForm: 64, declaredLength }))).toEqual({ code: 1009, reason: '' });
  });

  it('accepts non-minimal 16- and 64-bit length encodings, as ws does', async () => {
    await stillReads(text(PING_JSON, { lengthForm: 16 }));
    await stillReads(text(PING_JSON, { lengthForm: 64 }));
  });
});

describe('the gateway limits', () => {
  const pingOfSize = (bytes: number) => {
    const head = '{"type":"ping","pad":"';
    return `${head}${'x'.repeat(bytes - head.length - 2)}"}`;
  };

  it('reads a frame of exactly WSGW_MAX_FRAME_BYTES', async () => {
    await stillReads(text(pingOfSize(gateway.config.maxFrameBytes)));
  });

  it('closes with 1009 on a frame one byte over WSGW_MAX_FRAME_BYTES', async () => {
    expect(await closeAfter(text(pingOfSize(gateway.config.maxFrameBytes + 1)))).toEqual({ code: 1009, reason: '' });
  });

  it('closes with 1009 on a fragmented message over WSGW_MAX_FRAME_BYTES in total', async () => {
    const half = 'x'.repeat(gateway.config.maxFrameBytes / 2 + 1);
    expect(await closeAfter(text(half, { fin: false }), frame({ opcode: Opcode.continuation, payload: half }))).toEqual({ code: 1009, reason: '' });
  });

  it('answers a binary frame with an error frame and keeps the connection', async () => {
    const raw = await connectRaw();
    raw.send(frame({ opcode: Opcode.binary, payload: Buffer.from([0, 1, 2]) }), text(PING_JSON));
    const error = await raw.waitFor((f) => f.opcode === Opcode.text && JSON.parse(f.payload.toString()).type === 'error');
    expect(JSON.parse(error.payload.toString())).toEqual({ type: 'error', error: 'binary frames are not supported' });
    await raw.waitFor(isJsonPong);
    raw.destroy();
  });

  it("closes with 1008 'too many invalid frames' past WSGW_MAX_INVALID_FRAMES", async () => {
    const raw = await connectRaw();
    const invalid = gateway.config.maxInvalidFrames + 1;
    raw.send(...Array.from({ length: invalid }, (_, i) => text(`not json ${i}`)));
    expect(await raw.closed).toEqual({ code: 1008, reason: 'too many invalid frames' });
    const errors = raw.frames.filter((f) => f.opcode === Opcode.text && JSON.parse(f.payload.toString()).type === 'error');
    expect(errors).toHaveLength(gateway.config.maxInvalidFrames);
  });

  it("closes with 1008 'inbound rate limit exceeded' past twice WSGW_INBOUND_RATE at once", async () => {
    const raw = await connectRaw();
    const burst = gateway.config.inboundRate * 2;
    raw.send(...Array.from({ length: burst + 50 }, () => text(PING_JSON)));
    expect(await raw.closed).toEqual({ code: 1008, reason: 'inbound rate limit exceeded' });
    const answered = raw.frames.filter(isJsonPong).length;
    expect(answered).toBeGreaterThanOrEqual(burst);
    expect(answered).toBeLessThan(burst + 50);
  });

  it("closes with 1008 'inbound rate limit exceeded' on a flood of protocol pings arriving in bursts", async () => {
    const raw = await connectRaw();
    const burst = gateway.config.inboundRate * 2;
    // 50 per write, each write read on its own: more than the allowance within a few milliseconds.
    for (let sent = 0; sent < burst * 3 && raw.socket.writable; sent += 50) {
      raw.send(...Array.from({ length: 50 }, () => frame({ opcode: Opcode.ping, payload: 'flood' })));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await raw.closed).toEqual({ code: 1008, reason: 'inbound rate limit exceeded' });
  });

  it("closes with 1008 'inbound rate limit exceeded' on a flood of protocol pings in one write", async () => {
    const raw = await connectRaw();
    const burst = gateway.config.inboundRate * 2;
    raw.send(...Array.from({ length: burst + 50 }, () => frame({ opcode: Opcode.ping, payload: 'flood' })));
    expect(await raw.closed).toEqual({ code: 1008, reason: 'inbound rate limit exceeded' });
    expect(raw.frames.filter((f) => f.opcode === Opcode.pong).length).toBeLessThan(burst + 50);
  });
});

describe('UTF-8', () => {
  it.each([
    ['a broken two-byte sequence', [0xc3, 0x28]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a sequence cut short at the end', [0xe2, 0x82]],
  ])('closes with 1007 on a text frame holding %s', async (_name, bytes) => {
    const payload = Buffer.concat([Buffer.from('{"type":"ping","x":"'), Buffer.from(bytes), Buffer.from('"}')]);
    expect(await closeAfter(text(payload))).toEqual({ code: 1007, reason: '' });
  });

  it('closes with 1007 on invalid UTF-8 that spans fragments', async () => {
    expect(await closeAfter(text(Buffer.from([0x22, 0xe2]), { fin: false }), frame({ opcode: Opcode.continuation, payload: Buffer.from([0x28, 0x22]) }))).toEqual({
      code: 1007,
      reason: '',
    });
  });

  it('reads a character split between two fragments', async () => {
    const message = Buffer.from('{"type":"ping","x":"é"}');
    const split = message.indexOf(0xc3) + 1;
    await stillReads(text(message.subarray(0, split), { fin: false }), frame({ opcode: Opcode.continuation, payload: message.subarray(split) }));
  });
});

describe('close frames', () => {
  it('closes with 1002 on a close frame with a 1-byte payload', async () => {
    expect(await closeAfter(frame({ opcode: Opcode.close, payload: Buffer.from([0x03]) }))).toEqual(PROTOCOL_ERROR);
  });

  it.each([0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535])('closes with 1002 on close code %i', async (code) => {
    expect(await closeAfter(frame({ opcode: Opcode.close, payload: closePayload(code) }))).toEqual(PROTOCOL_ERROR);
  });

  it('closes with 1007 on a close reason that is not UTF-8', async () => {
    expect(await closeAfter(frame({ opcode: Opcode.close, payload: closePayload(1000, Buffer.from([0xff, 0xfe])) }))).toEqual({ code: 1007, reason: '' });
  });

  it.each([1000, 1001, 3000, 4999])('echoes a valid close %i with its reason', async (code) => {
    expect(await closeAfter(frame({ opcode: Opcode.close, payload: closePayload(code, 'bye ✓') }))).toEqual({ code, reason: 'bye ✓' });
  });

  it('echoes an empty close frame with an empty one', async () => {
    expect(await closeAfter(frame({ opcode: Opcode.close }))).toEqual({ code: 1005, reason: '' });
  });
});

describe('handshake garbage', () => {
  const KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';
  const V13 = 'Sec-WebSocket-Version: 13';
  const request = (method: string, path: string, ...lines: string[]) =>
    `${[`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: Upgrade', ...lines].join('\r\n')}\r\n\r\n`;
  const answer = async (bytes: string | Buffer) => {
    cases += 1;
    const response = await rawHttp(port, bytes);
    return { status: response.status, headers: response.headers, body: JSON.parse(response.body) as { error: string } };
  };

  it.each([
    ['a malformed Sec-WebSocket-Key', () => request('GET', '/ws', 'Upgrade: websocket', 'Sec-WebSocket-Key: short', V13), 400, /Sec-WebSocket-Key/, {}],
    ['a missing Sec-WebSocket-Key', () => request('GET', '/ws', 'Upgrade: websocket', V13), 400, /Sec-WebSocket-Key/, {}],
    ['another WebSocket version', () => request('GET', '/ws', 'Upgrade: websocket', KEY, 'Sec-WebSocket-Version: 8'), 426, /version/, { 'sec-websocket-version': '13' }],
    ['an upgrade to another protocol', () => request('GET', '/ws', 'Upgrade: h2c', KEY, V13), 426, /WebSocket/, {}],
    ['POST /ws', () => request('POST', '/ws', 'Upgrade: websocket', KEY, V13, 'Content-Length: 0'), 405, /GET/, { allow: 'GET' }],
    ['an upgrade without a token', () => request('GET', '/ws', 'Upgrade: websocket', KEY, V13), 401, /^missing token$/, {}],
    // Fixed bytes: a binary preamble no HTTP parser accepts, then an empty line.
    ['bytes that are not HTTP', () => Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 13, 10, 13, 10]), 400, /^malformed HTTP request$/, {}],
  ])('answers %s with its status and a JSON error', async (_name, bytes, status, error, headers) => {
    const response = await answer(bytes());
    expect(response.status).toBe(status);
    expect(response.body.error).toMatch(error);
    expect(response.headers).toMatchObject(headers);
  });

  it('refuses an upgrade carrying two tokens with 401', async () => {
    const token = await gateway.token('twice');
    const response = await answer(request('GET', `/ws?token=${token}`, 'Upgrade: websocket', KEY, V13, `Authorization: Bearer ${token}`));
    expect(response.status).toBe(401);
    expect(response.body.error).toMatch(/twice/);
  });
});
