import { propagation, ROOT_CONTEXT, trace, type Context, type SpanContext } from '@opentelemetry/api';

/** W3C traceparent of a span context, the form pushes carry across the bus and into frames. */
export function traceparentOf(spanContext: SpanContext): string {
  // Joined rather than concatenated: a template literal leaves a tree of string pieces behind the
  // result, and each push keeps its traceparent for the ack window.
  return ['00', spanContext.traceId, spanContext.spanId, (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')].join('-');
}

/**
 * The context a traceparent stands for, to parent spans on it. Parsed here rather than through the
 * global propagator so spans recorded after the fact (fan-out, delivery, ack) link up whatever
 * propagator is configured.
 */
export function contextFrom(traceparent: string | undefined): Context {
  const match = traceparent && /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent);
  if (!match) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
  });
}

/** A context's trace as propagation headers, for the bus (empty when tracing is off). */
export function traceHeaders(traced: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(traced, carrier);
  return carrier;
}
