import { epochMs } from '../telemetry/clock.ts';

/**
 * A push as it travels inside the gateway and across the bus: accepted once, with its id and
 * timestamp fixed, its targets normalised and its payload already serialised.
 */
export interface PushEnvelope {
  id: string;
  /** Epoch milliseconds when the push was accepted (the frame's `ts`). */
  ts: number;
  /** The same instant with sub-millisecond resolution, for latency measurements. */
  acceptedAt: number;
  /** Epoch ms (sub-millisecond) when the accepting node handed the push to the bus. */
  publishedAt: number;
  to: NormalizedTarget;
  /** `data` serialised as JSON text, so it is stringified once however many nodes deliver it. */
  payload: string;
  /** W3C traceparent of the push's trace, when tracing is on. */
  trace?: string;
  /** Put the traceparent in the frame (`WSGW_TRACE_CLIENTS`), so clients can continue the trace. */
  traceClients?: boolean;
}

/** The envelope of a push accepted at `acceptedAt` (epoch ms), handed to the bus now. */
export function envelopeOf(
  request: { to: NormalizedTarget; payload: string },
  id: string,
  acceptedAt: number,
  trace: string | undefined,
  traceClients: boolean,
): PushEnvelope {
  return { id, ts: Math.floor(acceptedAt), acceptedAt, publishedAt: epochMs(), to: request.to, payload: request.payload, trace, traceClients };
}

export interface NormalizedTarget {
  users: string[];
  tags: string[];
  all: boolean;
}

/**
 * The exact text of the `push` frame clients receive (see protocol.ts `PushFrame`), with `pos`
 * the push's positions in the receiving connection's streams (none: no `pos` field).
 */
export function pushFrameText(push: PushEnvelope, pos?: Readonly<Record<string, number>>): string {
  const trace = push.traceClients && push.trace ? `,"trace":${JSON.stringify(push.trace)}` : '';
  return `{"type":"push","id":${JSON.stringify(push.id)},"ts":${push.ts}${trace}${posText(pos)},"data":${push.payload}}`;
}

function posText(pos: Readonly<Record<string, number>> | undefined): string {
  if (pos === undefined) return '';
  let text = '';
  for (const stream in pos) text += `${text === '' ? '' : ','}${JSON.stringify(stream)}:${pos[stream]}`;
  return text === '' ? '' : `,"pos":{${text}}`;
}
