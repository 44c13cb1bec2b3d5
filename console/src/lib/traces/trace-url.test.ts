import { describe, expect, it } from 'vitest';
import { traceUrl } from './trace-url.ts';

describe('traceUrl', () => {
  it('puts the trace id where the template says', () => {
    expect(traceUrl('http://traces.example/trace/{traceId}', 'abc')).toBe('http://traces.example/trace/abc');
    expect(traceUrl('https://g.example/explore?q={traceId}&again={traceId}', 'f00')).toBe('https://g.example/explore?q=f00&again=f00');
  });

  it('is undefined without a template or an id', () => {
    expect(traceUrl(undefined, 'abc')).toBeUndefined();
    expect(traceUrl('', 'abc')).toBeUndefined();
    expect(traceUrl('http://x/{traceId}', undefined)).toBeUndefined();
  });
});
