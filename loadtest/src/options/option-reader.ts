/**
 * Command-line options of the load tester and the benchmark: flags parsed strictly by
 * `node:util` parseArgs, read back as typed, validated values. A bad value throws an error that
 * names the flag, so both commands answer a typo the same way.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type FlagSpecs = NonNullable<ParseArgsConfig['options']>;

export interface OptionSource<F extends FlagSpecs> {
  argv: string[];
  flags: F;
  /** Words that are not flags (the load tester's scenario); refused when false. Default false. */
  allowPositionals?: boolean;
  /**
   * When set, a flag missing from `argv` is read from `<envPrefix><FLAG>` in `env` (upper case,
   * dashes as underscores: `BENCH_BURST_SIZE`); the flag wins.
   */
  envPrefix?: string;
  env?: NodeJS.ProcessEnv;
}

type FlagName<F extends FlagSpecs> = Extract<keyof F, string>;

export interface OptionReader<F extends FlagSpecs> {
  readonly positionals: string[];
  /** The flag's text, from `argv` or the environment, or undefined when absent. */
  text(flag: FlagName<F>): string | undefined;
  /** Whether a boolean flag was given. */
  has(flag: FlagName<F>): boolean;
  /** A number ≥ `min` (default 0), or `fallback` when absent. */
  number(flag: FlagName<F>, fallback: number, min?: number): number;
  /** An integer in `min..max`, or `fallback` when absent. */
  integer(flag: FlagName<F>, fallback: number, min: number, max: number): number;
  /** A comma-separated list of integers in `min..max`; `fallback` when absent. */
  integers(flag: FlagName<F>, fallback: string, min: number, max: number): number[];
  /** One of `allowed`, or `fallback` when absent. */
  oneOf<T extends string>(flag: FlagName<F>, fallback: T, allowed: readonly T[]): T;
  /** A comma-separated list, each one of `allowed`, without repeats; `fallback` when absent. */
  someOf<T extends string>(flag: FlagName<F>, fallback: string, allowed: readonly T[]): T[];
}

/** Splits `a, b,,c` into `['a', 'b', 'c']`. */
export const splitList = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const envName = (prefix: string, flag: string): string => `${prefix}${flag.toUpperCase().replace(/-/g, '_')}`;

const integerOf = (flag: string, raw: string, min: number, max: number): number => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${flag} must be an integer in ${min}..${max}, got "${raw}"`);
  }
  return value;
};

const oneOfValue = <T extends string>(flag: string, raw: string, allowed: readonly T[]): T => {
  const match = allowed.find((a) => a === raw);
  if (!match) throw new Error(`--${flag} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return match;
};

/** Parses `argv` against `flags` (unknown flags throw) and returns the reader of its values. */
export function createOptionReader<F extends FlagSpecs>(source: OptionSource<F>): OptionReader<F> {
  const { values, positionals } = parseArgs({ args: source.argv, options: source.flags, allowPositionals: source.allowPositionals ?? false, strict: true });
  const given = values as Record<string, string | boolean | undefined>;
  const text = (flag: string): string | undefined => {
    const value = given[flag];
    if (typeof value === 'string') return value;
    return source.envPrefix === undefined ? undefined : source.env?.[envName(source.envPrefix, flag)];
  };
  return {
    positionals,
    text,
    has: (flag) => given[flag] === true,
    number(flag, fallback, min = 0) {
      const raw = text(flag);
      if (raw === undefined) return fallback;
      const value = Number(raw);
      if (!Number.isFinite(value) || value < min) throw new Error(`--${flag} must be a number ≥ ${min}, got "${raw}"`);
      return value;
    },
    integer: (flag, fallback, min, max) => integerOf(flag, text(flag) ?? String(fallback), min, max),
    integers: (flag, fallback, min, max) => splitList(text(flag) ?? fallback).map((raw) => integerOf(flag, raw, min, max)),
    oneOf: (flag, fallback, allowed) => oneOfValue(flag, text(flag) ?? fallback, allowed),
    someOf: (flag, fallback, allowed) => [...new Set(splitList(text(flag) ?? fallback).map((raw) => oneOfValue(flag, raw, allowed)))],
  };
}
