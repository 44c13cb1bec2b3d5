/** The parts of a W3C traceparent that an application needs to continue the trace. */
export interface TraceContext {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits: the span that wrote the push, the parent of the client's span. */
  spanId: string;
  /** The sampled flag (bit 0 of the trace flags). */
  sampled: boolean;
  /** The trace flags, 2 hex digits. */
  flags: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/**
 * Splits a traceparent (`00-<trace id>-<span id>-<flags>`, a push's `trace`) into its parts;
 * undefined when it is not a valid one: the version `ff`, an all-zero id, or another shape.
 * A later version may append fields after the flags; they are ignored, as the spec asks.
 */
export function parseTraceparent(traceparent: string | undefined): TraceContext | undefined {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, extra] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && extra !== undefined)) return undefined;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  return { traceId, spanId, flags, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}
