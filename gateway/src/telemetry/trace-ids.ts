/**
 * The trace id of a W3C traceparent (`00-<trace id>-<span id>-<flags>`) when the trace is
 * sampled: an exemplar pointing at a trace nobody recorded would lead nowhere.
 */
export function sampledTraceId(traceparent: string | undefined): string | undefined {
  // Read in place rather than split: this runs for every push on every node, and the trace id is
  // kept with the push's timing for the ack window.
  if (!traceparent || traceparent.length < 55 || traceparent[2] !== '-' || traceparent[35] !== '-' || traceparent[52] !== '-') return undefined;
  return (Number.parseInt(traceparent.slice(53, 55), 16) & 1) === 1 ? traceparent.slice(3, 35) : undefined;
}
