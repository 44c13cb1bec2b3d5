import { describe, expect, it } from 'vitest';
import { sampledTraceId } from './trace-ids.ts';
import { traceparentOf } from './trace-context.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('sampled trace ids', () => {
  it('reads the trace id of a sampled traceparent', () => {
    expect(sampledTraceId(`00-${TRACE}-${SPAN}-01`)).toBe(TRACE);
    expect(sampledTraceId(`00-${TRACE}-${SPAN}-03`)).toBe(TRACE);
  });

  it('has none for an unsampled, malformed or missing traceparent', () => {
    for (const traceparent of [`00-${TRACE}-${SPAN}-00`, `00-${TRACE}-${SPAN}`, `00-${TRACE.slice(1)}-${SPAN}-01`, `00_${TRACE}_${SPAN}_01`, '', undefined]) {
      expect(sampledTraceId(traceparent)).toBeUndefined();
    }
  });

  it('reads what traceparentOf writes', () => {
    expect(traceparentOf({ traceId: TRACE, spanId: SPAN, traceFlags: 1 })).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(sampledTraceId(traceparentOf({ traceId: TRACE, spanId: SPAN, traceFlags: 1 }))).toBe(TRACE);
    expect(sampledTraceId(traceparentOf({ traceId: TRACE, spanId: SPAN, traceFlags: 0 }))).toBeUndefined();
  });
});
