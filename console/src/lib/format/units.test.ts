import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatMs } from './units.ts';

describe('units', () => {
  it('formats milliseconds', () => {
    expect([0.25, 1, 2.34, 12.6, 250, 1500, 12_000].map(formatMs)).toEqual(['0.25 ms', '1 ms', '2.3 ms', '13 ms', '250 ms', '1.5 s', '12 s']);
    expect(formatMs(null)).toBe('—');
  });

  it('formats bytes in binary units', () => {
    expect([0, 512, 1536, 10 * 1024 * 1024, 300 * 1024 * 1024].map(formatBytes)).toEqual(['0 B', '512 B', '1.5 KiB', '10 MiB', '300 MiB']);
  });

  it('formats counts, compact past ten thousand', () => {
    expect([0, 950, 9999, 12_345, 4_100_000, 2.25].map(formatCount)).toEqual(['0', '950', '9999', '12.3k', '4.1M', '2.3']);
  });

  it('formats durations with their two largest units', () => {
    expect([0, 42, 303, 7800, 273_600].map(formatDuration)).toEqual(['0s', '42s', '5m 3s', '2h 10m', '3d 4h']);
    expect(formatDuration(3600)).toBe('1h');
  });
});
