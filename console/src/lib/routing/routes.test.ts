import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash, tokenFromHash } from './routes.ts';

describe('parseRoute', () => {
  it('reads the view from a hash route', () => {
    expect(parseRoute('#/slow')).toBe('slow');
    expect(parseRoute('#/users')).toBe('users');
    expect(parseRoute('#push')).toBe('push');
    expect(parseRoute('#/tail?x=1')).toBe('tail');
    expect(parseRoute('#/pushes/p-1')).toBe('pushes');
    expect(parseRoute('#/pushes?user=alice')).toBe('pushes');
    expect(parseRoute(routeHash('overview'))).toBe('overview');
  });

  it('falls back to the overview', () => {
    for (const hash of ['', '#', '#/', '#/nope', '#token=abc']) expect(parseRoute(hash)).toBe('overview');
  });
});

describe('tokenFromHash', () => {
  it('reads a #token= link, decoding it', () => {
    expect(tokenFromHash('#token=abc123')).toBe('abc123');
    expect(tokenFromHash(`#token=${encodeURIComponent('a+b/c=d&e')}`)).toBe('a+b/c=d&e');
    expect(tokenFromHash('#x=1&token=abc')).toBe('abc');
  });

  it('keeps a literal + (URLSearchParams would turn it into a space)', () => {
    expect(tokenFromHash('#token=a+b')).toBe('a+b');
  });

  it('is undefined without a token', () => {
    for (const hash of ['', '#/overview', '#token=', '#mytoken=abc', '#token=%E0%A4%A']) expect(tokenFromHash(hash)).toBeUndefined();
  });
});
