import { describe, expect, it } from 'vitest';
import { createStreamPositions } from './stream-positions.ts';

describe('stream positions', () => {
  it('advances the watermark one position at a time', () => {
    const positions = createStreamPositions();
    positions.adopt('u:alice', { epoch: 'e1', seq: 10 });
    positions.see('u:alice', 11);
    positions.see('u:alice', 12);
    expect(positions.snapshot()).toEqual({ 'u:alice': { epoch: 'e1', seq: 12 } });
  });

  it('holds the watermark below a gap until it fills, then passes everything seen above it', () => {
    const positions = createStreamPositions();
    positions.adopt('t:news', { epoch: 'e1', seq: 0 });
    positions.see('t:news', 1);
    positions.see('t:news', 3);
    positions.see('t:news', 4);
    expect(positions.snapshot()['t:news']!.seq).toBe(1);
    positions.see('t:news', 2);
    expect(positions.snapshot()['t:news']!.seq).toBe(4);
  });

  it('ignores positions at or below the watermark, and streams it holds no position for', () => {
    const positions = createStreamPositions();
    positions.adopt('all', { epoch: 'e1', seq: 5 });
    positions.see('all', 5);
    positions.see('all', 2);
    positions.see('u:bob', 1);
    expect(positions.snapshot()).toEqual({ all: { epoch: 'e1', seq: 5 } });
  });

  it('keeps what was seen above a new base in the same epoch, and forgets it in a new epoch', () => {
    const positions = createStreamPositions();
    positions.adopt('s', { epoch: 'e1', seq: 0 });
    positions.see('s', 5);
    positions.see('s', 6);
    positions.adopt('s', { epoch: 'e1', seq: 4 });
    expect(positions.snapshot()['s']).toEqual({ epoch: 'e1', seq: 6 });

    positions.see('s', 9);
    positions.adopt('s', { epoch: 'e2', seq: 7 });
    positions.see('s', 8);
    expect(positions.snapshot()['s']).toEqual({ epoch: 'e2', seq: 8 });
  });

  it('bounds what it holds above a gap by dropping the highest positions, never claiming an unseen one', () => {
    const positions = createStreamPositions(3);
    positions.adopt('s', { epoch: 'e1', seq: 0 });
    for (const seq of [2, 3, 4, 5, 6]) positions.see('s', seq);
    positions.see('s', 1);
    // 5 and 6 were dropped: a resume from 4 asks for them again.
    expect(positions.snapshot()['s']!.seq).toBe(4);
  });

  it('forgets a stream', () => {
    const positions = createStreamPositions();
    positions.adopt('a', { epoch: 'e', seq: 1 });
    positions.adopt('b', { epoch: 'e', seq: 1 });
    positions.forget('a');
    expect(positions.has('a')).toBe(false);
    expect(positions.size).toBe(1);
  });
});
