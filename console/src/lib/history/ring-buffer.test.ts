import { describe, expect, it } from 'vitest';
import { createRingBuffer } from './ring-buffer.ts';

describe('createRingBuffer', () => {
  it('keeps items oldest first until full', () => {
    const ring = createRingBuffer<number>(3);
    expect(ring.push(1)).toBeUndefined();
    ring.push(2);
    expect(ring.toArray()).toEqual([1, 2]);
    expect(ring.length).toBe(2);
  });

  it('evicts the oldest item once full and returns it', () => {
    const ring = createRingBuffer<number>(3);
    for (const n of [1, 2, 3]) ring.push(n);
    expect(ring.push(4)).toBe(1);
    expect(ring.push(5)).toBe(2);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.length).toBe(3);
  });

  it('stays bounded over many wraps', () => {
    const ring = createRingBuffer<number>(300);
    for (let n = 0; n < 10_000; n += 1) ring.push(n);
    const items = ring.toArray();
    expect(items).toHaveLength(300);
    expect(items[0]).toBe(9700);
    expect(items[299]).toBe(9999);
  });

  it('indexes from the oldest, and from the newest with negative indexes', () => {
    const ring = createRingBuffer<string>(2);
    for (const s of ['a', 'b', 'c']) ring.push(s);
    expect(ring.at(0)).toBe('b');
    expect(ring.at(-1)).toBe('c');
    expect(ring.at(2)).toBeUndefined();
    expect(ring.at(-3)).toBeUndefined();
  });

  it('clears', () => {
    const ring = createRingBuffer<number>(2);
    ring.push(1);
    ring.clear();
    expect(ring.toArray()).toEqual([]);
    ring.push(7);
    expect(ring.toArray()).toEqual([7]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => createRingBuffer(0)).toThrow(RangeError);
    expect(() => createRingBuffer(1.5)).toThrow(RangeError);
  });
});
