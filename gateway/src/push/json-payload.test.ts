import { describe, expect, it } from 'vitest';
import { MAX_DATA_DEPTH } from '../protocol.ts';
import { arrayElements, checkPayloadText, objectMembers, valueSpan } from './json-payload.ts';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('JSON payload text', () => {
  it.each([
    ['1e400'],
    ['-9223372036854775809'],
    ['"\\ud800"'],
    ['{"a":[1,{"b":"]}\\"\\\\"}]}'],
    [' [ 1 , 2 ] '],
    [nested(MAX_DATA_DEPTH)],
  ])('accepts %s', (text) => {
    expect(checkPayloadText(text)).toBeUndefined();
  });

  it.each([
    ['', 'data is not valid JSON'],
    ['1,"x":2', 'data is not valid JSON'],
    ['1}', 'data is not valid JSON'],
    ['{"a":1', 'data is not valid JSON'],
    ['NaN', 'data is not valid JSON'],
    ['1 2', 'data is not valid JSON'],
    [nested(MAX_DATA_DEPTH + 1), `"data" nests deeper than ${MAX_DATA_DEPTH} levels`],
    [nested(200_000), `"data" nests deeper than ${MAX_DATA_DEPTH} levels`],
  ])('refuses %j', (text, error) => {
    expect(checkPayloadText(text)).toBe(error);
  });

  it('finds member and element spans, strings with brackets and escapes included', () => {
    const text = '{ "a" : "x\\"]}" , "b":[ 1, {"c":[[]]} ,"]" ] ,"a":-1e5}';
    const members = objectMembers(text, 0);
    expect([...members.keys()]).toEqual(['a', 'b']);
    expect(text.slice(members.get('a')!.start, members.get('a')!.end)).toBe('-1e5');
    const b = members.get('b')!;
    expect(text.slice(b.start, b.end)).toBe('[ 1, {"c":[[]]} ,"]" ]');
    expect(b.depth).toBe(4);
    expect(arrayElements(text, b.start).map((span) => text.slice(span.start, span.end))).toEqual(['1', '{"c":[[]]}', '"]"']);
    expect(arrayElements('[ ]', 0)).toEqual([]);
    expect(valueSpan('"\\\\"', 0)).toEqual({ start: 0, end: 4, depth: 0 });
  });
});
