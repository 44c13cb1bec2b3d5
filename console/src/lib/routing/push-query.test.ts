import { describe, expect, it } from 'vitest';
import { parsePushQuery, pushQueryHash, samePushQuery } from './push-query.ts';
import { parseRoute } from './routes.ts';

describe('parsePushQuery', () => {
  it('reads a push id from the path and a user from the query', () => {
    expect(parsePushQuery('#/pushes/p-1')).toEqual({ kind: 'push', id: 'p-1' });
    expect(parsePushQuery('#/pushes?user=alice')).toEqual({ kind: 'user', user: 'alice' });
    expect(parsePushQuery('#pushes?x=1&user=bob')).toEqual({ kind: 'user', user: 'bob' });
  });

  it('decodes escapes and keeps a literal +', () => {
    expect(parsePushQuery(`#/pushes/${encodeURIComponent('a/b c')}`)).toEqual({ kind: 'push', id: 'a/b c' });
    expect(parsePushQuery('#/pushes?user=a+b')).toEqual({ kind: 'user', user: 'a+b' });
  });

  it('is undefined without a query, on other routes and for broken escapes', () => {
    for (const hash of ['', '#/pushes', '#/pushes/', '#/pushes?user=', '#/pushes/%20', '#/push/p-1', '#/tail', '#/pushes/%E0%A4%A', '#/pushesx/p'])
      expect(parsePushQuery(hash)).toBeUndefined();
  });

  it('round-trips through pushQueryHash, which the router reads as the pushes route', () => {
    for (const query of [{ kind: 'push', id: 'x?y&z#' }, { kind: 'user', user: 'é&user=mallory' }] as const) {
      expect(parsePushQuery(pushQueryHash(query))).toEqual(query);
      expect(parseRoute(pushQueryHash(query))).toBe('pushes');
    }
    expect(pushQueryHash()).toBe('#/pushes');
  });

  it('compares queries by what they ask', () => {
    expect(samePushQuery({ kind: 'push', id: 'a' }, { kind: 'push', id: 'a' })).toBe(true);
    expect(samePushQuery({ kind: 'push', id: 'a' }, { kind: 'user', user: 'a' })).toBe(false);
    expect(samePushQuery(undefined, { kind: 'push', id: 'a' })).toBe(false);
    expect(samePushQuery(undefined, undefined)).toBe(true);
  });
});
