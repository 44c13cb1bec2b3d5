import { describe, expect, it } from 'vitest';
import { encodeClientFrame } from './client-frames.ts';
import { createFrameParser, OPCODE } from './frame-parser.ts';

/** A server frame (unmasked) as a server would write it. */
const serverFrame = (opcode: number, payload: Buffer, fin = true): Buffer => {
  const length = payload.length;
  const head =
    length < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, length])
      : length < 65_536
        ? Buffer.from([(fin ? 0x80 : 0) | opcode, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 127]), Buffer.from([0, 0, 0, 0]), Buffer.from([length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff])]);
  return Buffer.concat([head, payload]);
};

const collect = () => {
  const frames: Array<[number, string]> = [];
  const parser = createFrameParser((opcode, payload) => frames.push([opcode, payload.toString('utf8')]));
  return { frames, parser };
};

describe('createFrameParser', () => {
  it('splits several frames of one chunk', () => {
    const { frames, parser } = collect();
    parser.push(Buffer.concat([serverFrame(OPCODE.text, Buffer.from('a')), serverFrame(OPCODE.ping, Buffer.from('p')), serverFrame(OPCODE.text, Buffer.from('bc'))]));
    expect(frames).toEqual([[OPCODE.text, 'a'], [OPCODE.ping, 'p'], [OPCODE.text, 'bc']]);
  });

  it('joins a frame split byte by byte, with 16- and 64-bit lengths', () => {
    const { frames, parser } = collect();
    const medium = 'm'.repeat(300);
    const large = 'L'.repeat(70_000);
    const bytes = Buffer.concat([serverFrame(OPCODE.text, Buffer.from(medium)), serverFrame(OPCODE.binary, Buffer.from(large))]);
    for (let i = 0; i < 400; i += 1) parser.push(bytes.subarray(i, i + 1));
    parser.push(bytes.subarray(400));
    expect(frames).toEqual([[OPCODE.text, medium], [OPCODE.binary, large]]);
  });

  it('joins a fragmented message and lets a control frame through between its parts', () => {
    const { frames, parser } = collect();
    parser.push(serverFrame(OPCODE.text, Buffer.from('he'), false));
    parser.push(serverFrame(OPCODE.ping, Buffer.from('')));
    parser.push(serverFrame(OPCODE.continuation, Buffer.from('llo'), true));
    expect(frames).toEqual([[OPCODE.ping, ''], [OPCODE.text, 'hello']]);
  });

  it('refuses a masked frame', () => {
    const { parser } = collect();
    expect(() => parser.push(encodeClientFrame(OPCODE.text, Buffer.from('x')))).toThrow(/masked/);
  });
});

describe('encodeClientFrame', () => {
  it('masks the payload with the key', () => {
    const frame = encodeClientFrame(OPCODE.text, Buffer.from('40'), Buffer.from([1, 2, 3, 4]));
    expect([...frame]).toEqual([0x81, 0x82, 1, 2, 3, 4, 0x34 ^ 1, 0x30 ^ 2]);
  });
});
