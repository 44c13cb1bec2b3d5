import { describe, expect, it } from 'vitest';
import { readSentAt, readSeq } from './frame-scan.ts';

describe('frame scan', () => {
  it('reads seq and a fractional sentAt wherever the server wrapped them', () => {
    const frame = Buffer.from('42["push",{"seq":1234,"sentAt":1700000000123.456,"pad":"xx"}]');
    expect(readSeq(frame)).toBe(1234);
    expect(readSentAt(frame)).toBeCloseTo(1700000000123.456, 3);
  });

  it('answers -1 when the key is missing or has no digits', () => {
    expect(readSeq(Buffer.from('{"type":"welcome"}'))).toBe(-1);
    expect(readSentAt(Buffer.from('{"sentAt":null}'))).toBe(-1);
  });
});
