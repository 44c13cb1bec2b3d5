import { describe, expect, it } from 'vitest';
import type { Writable } from 'node:stream';
import * as ws from 'ws';

// ws exports its frame parser at run time; its type definitions leave it out.
const { Receiver } = ws as unknown as { Receiver: new (options: { isServer: boolean }) => Writable };
import { encodeTextFrame } from './websocket-frame.ts';

/** Decodes with ws's own receiver, so the encoder is checked against an independent implementation. */
function decode(frame: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? reject(new Error('binary')) : resolve(data.toString())));
    receiver.on('error', reject);
    receiver.write(frame);
  });
}

describe('encodeTextFrame', () => {
  it.each([0, 1, 125, 126, 65535, 65536, 200_000])('round-trips a %d-byte payload through a real receiver', async (size) => {
    const text = 'a'.repeat(size);
    expect(await decode(encodeTextFrame(text))).toBe(text);
  });

  it('measures multi-byte characters in bytes', async () => {
    const text = 'é✓😀'.repeat(50);
    const frame = encodeTextFrame(text);
    expect(frame.length).toBe(4 + Buffer.byteLength(text));
    expect(await decode(frame)).toBe(text);
  });
});
