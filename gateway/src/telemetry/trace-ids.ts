/**
 * The trace id of a W3C traceparent (`00-<trace id>-<span id>-<flags>`) when the trace is
 * sampled: an exemplar pointing at a trace nobody recorded would lead nowhere.
 */
export function sampledTraceId(traceparent: string | undefined): string | undefined {
  if (!traceparent) return undefined;
  const parts = traceparent.split('-');
  if (parts.length < 4 || parts[1]!.length !== 32) return undefined;
  return (Number.parseInt(parts[3]!, 16) & 1) === 1 ? parts[1] : undefined;
}
