import { describe, expect, it } from 'vitest';
import { buildPushRequest, targetNames } from './push-form.ts';

describe('buildPushRequest', () => {
  it('pushes to users, tags or everyone', () => {
    expect(buildPushRequest({ kind: 'user', target: 'alice, bob', data: '{"n":1}' })).toEqual({
      ok: true,
      request: { to: { users: ['alice', 'bob'] }, data: { n: 1 } },
    });
    expect(buildPushRequest({ kind: 'tag', target: 'beta', data: '"hi"' })).toEqual({ ok: true, request: { to: { tags: ['beta'] }, data: 'hi' } });
    expect(buildPushRequest({ kind: 'all', target: 'ignored', data: 'null' })).toEqual({ ok: true, request: { to: { all: true }, data: null } });
  });

  it('says why the data is not valid JSON', () => {
    const result = buildPushRequest({ kind: 'all', target: '', data: '{hello: 1}' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.field).toBe('data');
    expect(result.error).toMatch(/^Data is not valid JSON: /);
  });

  it('refuses empty data and a missing target', () => {
    expect(buildPushRequest({ kind: 'all', target: '', data: '  ' })).toMatchObject({ ok: false, field: 'data' });
    expect(buildPushRequest({ kind: 'user', target: ' , ', data: '1' })).toMatchObject({ ok: false, field: 'target', error: 'Enter at least one user id' });
    expect(buildPushRequest({ kind: 'tag', target: '', data: '1' })).toMatchObject({ ok: false, error: 'Enter at least one tag' });
  });
});

describe('targetNames', () => {
  it('splits on commas and whitespace, dropping empties and repeats', () => {
    expect(targetNames(' a,b  c,,a\n d ')).toEqual(['a', 'b', 'c', 'd']);
  });
});
