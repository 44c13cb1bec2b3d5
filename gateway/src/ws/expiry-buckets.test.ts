import { describe, expect, it } from 'vitest';
import { createExpiryBuckets } from './expiry-buckets.ts';

describe('expiry buckets', () => {
  it('takes what fell due, earliest second first, and drops emptied buckets', () => {
    const buckets = createExpiryBuckets<string>(100);
    buckets.add('c', 103);
    buckets.add('a', 101);
    buckets.add('b', 101);
    buckets.add('d', 110);
    expect({ size: buckets.size, buckets: buckets.buckets }).toEqual({ size: 4, buckets: 3 });
    expect(buckets.takeDue(100)).toEqual([]);
    expect(buckets.takeDue(103)).toEqual(['a', 'b', 'c']);
    expect({ size: buckets.size, buckets: buckets.buckets }).toEqual({ size: 1, buckets: 1 });
    expect(buckets.takeDue(103)).toEqual([]);
    expect(buckets.takeDue(200)).toEqual(['d']);
    expect({ size: buckets.size, buckets: buckets.buckets }).toEqual({ size: 0, buckets: 0 });
  });

  it('moves an item filed again, and removes it without trace', () => {
    const buckets = createExpiryBuckets<string>(0);
    buckets.add('a', 5);
    buckets.add('a', 9);
    expect({ size: buckets.size, buckets: buckets.buckets }).toEqual({ size: 1, buckets: 1 });
    expect(buckets.takeDue(8)).toEqual([]);
    expect(buckets.remove('a')).toBe(true);
    expect(buckets.remove('a')).toBe(false);
    expect(buckets.has('a')).toBe(false);
    expect({ size: buckets.size, buckets: buckets.buckets }).toEqual({ size: 0, buckets: 0 });
    expect(buckets.takeDue(20)).toEqual([]);
  });

  it('files an item under a second already taken into the next one taken', () => {
    const buckets = createExpiryBuckets<string>(50);
    buckets.add('late', 10);
    expect(buckets.takeDue(50)).toEqual([]);
    expect(buckets.takeDue(51)).toEqual(['late']);
    buckets.takeDue(60);
    buckets.add('later', 59);
    expect(buckets.takeDue(61)).toEqual(['later']);
  });

  it('takes across a long jump of the clock from the buckets held, in order', () => {
    const buckets = createExpiryBuckets<number>(0);
    const seconds = [3_000_000, 7, 2_000_000, 1_000];
    for (const second of seconds) buckets.add(second, second);
    expect(buckets.takeDue(2_500_000)).toEqual([7, 1_000, 2_000_000]);
    expect(buckets.takeDue(5_000_000)).toEqual([3_000_000]);
  });

  it('files 10k items in one second and takes them all at once', () => {
    const buckets = createExpiryBuckets<number>(0);
    for (let item = 0; item < 10_000; item += 1) buckets.add(item, 1);
    expect(buckets.buckets).toBe(1);
    expect(buckets.takeDue(1)).toHaveLength(10_000);
    expect(buckets.size).toBe(0);
  });
});
