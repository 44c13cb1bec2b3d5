import { describe, expect, it } from 'vitest';
import { createOptionReader } from './option-reader.ts';

const FLAGS = { rounds: { type: 'string' }, only: { type: 'string' }, quiet: { type: 'boolean' } } as const;

describe('createOptionReader', () => {
  it('reads a flag before its environment form, and the environment before the fallback', () => {
    const env = { BENCH_ROUNDS: '7', BENCH_ONLY: 'raw' };
    const read = createOptionReader({ argv: ['--rounds', '3'], flags: FLAGS, envPrefix: 'BENCH_', env });
    expect(read.integer('rounds', 20, 1, 100)).toBe(3);
    expect(read.someOf('only', 'gateway', ['gateway', 'raw'] as const)).toEqual(['raw']);
    expect(read.has('quiet')).toBe(false);
    expect(createOptionReader({ argv: [], flags: FLAGS }).integer('rounds', 20, 1, 100)).toBe(20);
  });

  it('ignores the environment without a prefix', () => {
    const read = createOptionReader({ argv: ['--quiet'], flags: FLAGS, env: { ROUNDS: '7' } });
    expect(read.number('rounds', 5)).toBe(5);
    expect(read.has('quiet')).toBe(true);
  });

  it('names the flag of a bad value', () => {
    const read = createOptionReader({ argv: ['--rounds', '2.5', '--only', 'gateway,nope'], flags: FLAGS });
    expect(() => read.integer('rounds', 1, 1, 10)).toThrow('--rounds must be an integer in 1..10, got "2.5"');
    expect(() => read.number('rounds', 1, 3)).toThrow('--rounds must be a number ≥ 3, got "2.5"');
    expect(() => read.someOf('only', 'gateway', ['gateway', 'raw'] as const)).toThrow('--only must be one of gateway, raw, got "nope"');
  });

  it('refuses unknown flags and, unless allowed, positionals', () => {
    expect(() => createOptionReader({ argv: ['--round', '3'], flags: FLAGS })).toThrow(/Unknown option '--round'/);
    expect(() => createOptionReader({ argv: ['quick'], flags: FLAGS })).toThrow(/Unexpected argument 'quick'/);
    expect(createOptionReader({ argv: ['quick'], flags: FLAGS, allowPositionals: true }).positionals).toEqual(['quick']);
  });
});
