import { checkPayloadText } from '../push/json-payload.ts';
import type { PushEnvelope } from '../push/push-envelope.ts';
import { MAX_ID_LENGTH, validateTarget } from '../push/push-validation.ts';
import { MAX_EPOCH_LENGTH } from '../protocol.ts';
import { fail, isBoundedString, isRecord, type Validation } from '../validation.ts';
import { streamsOfTarget } from '../push/streams.ts';
import type { BusMessage, BusSignal, StreamPositions } from './bus.ts';

/**
 * What arrives from the broker is checked as strictly as the push API checks a request: anyone
 * who can publish on the prefix can send it, and a push's `payload` is spliced verbatim into
 * every client frame. Error texts are fixed phrases: they are logged, and must never carry what
 * was sent.
 */

/** Longest node id accepted as a message's `origin`, characters. */
export const MAX_ORIGIN_LENGTH = 256;
/** Longest signal topic, characters. */
const MAX_TOPIC_LENGTH = 128;
/** Propagation headers beside a push: at most this many, names and values this long. */
const MAX_HEADERS = 32;
const MAX_HEADER_NAME_LENGTH = 128;
const MAX_HEADER_VALUE_LENGTH = 8192;
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/** A push message's text (and, on NATS, its native headers) as a `BusMessage`, or why not. */
export function parseBusMessage(text: string, nativeHeaders?: Record<string, string>): Validation<BusMessage> {
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if (!isRecord(value)) return fail('message is not a JSON object');
  if (!isBoundedString(value.origin, MAX_ORIGIN_LENGTH)) return fail(`"origin" must be a string of 1 to ${MAX_ORIGIN_LENGTH} characters`);
  const push = validateEnvelope(value.push);
  if (!push.ok) return push;
  const headers = validateHeaders(nativeHeaders ?? (value.headers === undefined ? {} : value.headers));
  if (!headers.ok) return headers;
  const positions = validatePositions(value.positions === undefined ? {} : value.positions, push.value);
  if (!positions.ok) return positions;
  return { ok: true, value: { origin: value.origin, push: push.value, headers: headers.value, positions: positions.value } };
}

/**
 * A push's positions: only streams the push targets, each with an epoch and a position of at
 * least 1. A forged position could otherwise make a client skip pushes when it resumes.
 */
export function validatePositions(value: unknown, push: PushEnvelope): Validation<StreamPositions> {
  if (!isRecord(value)) return fail('"positions" must be an object');
  const targeted = new Set(streamsOfTarget(push.to));
  const positions: StreamPositions = {};
  for (const [stream, position] of Object.entries(value)) {
    if (!targeted.has(stream)) return fail('"positions" names a stream the push does not target');
    if (!isRecord(position) || !isBoundedString(position.epoch, MAX_EPOCH_LENGTH) || !Number.isSafeInteger(position.seq) || (position.seq as number) < 1) {
      return fail(`a position must have an epoch of 1 to ${MAX_EPOCH_LENGTH} characters and a seq of at least 1`);
    }
    positions[stream] = { epoch: position.epoch, seq: position.seq as number };
  }
  return { ok: true, value: positions };
}

/** A signal's text as a `BusSignal` (its body is checked by the topic's own parser), or why not. */
export function parseSignal(text: string): Validation<BusSignal> {
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if (!isRecord(value)) return fail('signal is not a JSON object');
  if (!isBoundedString(value.origin, MAX_ORIGIN_LENGTH)) return fail(`"origin" must be a string of 1 to ${MAX_ORIGIN_LENGTH} characters`);
  if (!isBoundedString(value.topic, MAX_TOPIC_LENGTH)) return fail(`"topic" must be a string of 1 to ${MAX_TOPIC_LENGTH} characters`);
  return { ok: true, value: { origin: value.origin, topic: value.topic, body: value.body } };
}

/** A push envelope from another node, field by field; unknown fields are left behind. */
export function validateEnvelope(value: unknown): Validation<PushEnvelope> {
  if (!isRecord(value)) return fail('"push" must be an object');
  const { id, ts, acceptedAt, publishedAt, payload, trace, traceClients } = value;
  if (!isBoundedString(id, MAX_ID_LENGTH)) return fail(`"push.id" must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  for (const [name, instant] of [['ts', ts], ['acceptedAt', acceptedAt], ['publishedAt', publishedAt]] as const) {
    if (typeof instant !== 'number' || !Number.isFinite(instant)) return fail(`"push.${name}" must be a finite number`);
  }
  const to = isRecord(value.to) && Array.isArray(value.to.users) && Array.isArray(value.to.tags) && typeof value.to.all === 'boolean'
    ? validateTarget(value.to)
    : fail('"push.to" must have users and tags lists and a boolean all');
  if (!to.ok) return fail(`push: ${to.error}`);
  // Spliced verbatim into client frames: anything but one JSON value would forge frame fields.
  if (typeof payload !== 'string' || checkPayloadText(payload) !== undefined) {
    return fail('"push.payload" must be the text of one JSON value within the depth limit');
  }
  if (trace !== undefined && (typeof trace !== 'string' || !TRACEPARENT.test(trace))) return fail('"push.trace" must be a W3C traceparent');
  if (traceClients !== undefined && typeof traceClients !== 'boolean') return fail('"push.traceClients" must be a boolean');
  return {
    ok: true,
    value: {
      id,
      ts: ts as number,
      acceptedAt: acceptedAt as number,
      publishedAt: publishedAt as number,
      to: to.value,
      payload,
      ...(trace !== undefined && { trace }),
      ...(traceClients !== undefined && { traceClients }),
    },
  };
}

/** Propagation headers: a small flat map of strings. */
function validateHeaders(value: unknown): Validation<Record<string, string>> {
  if (!isRecord(value)) return fail('"headers" must be an object of strings');
  const entries = Object.entries(value);
  if (entries.length > MAX_HEADERS) return fail(`"headers" has more than ${MAX_HEADERS} entries`);
  const headers: Record<string, string> = {};
  for (const [name, text] of entries) {
    if (name === '' || name.length > MAX_HEADER_NAME_LENGTH || typeof text !== 'string' || text.length > MAX_HEADER_VALUE_LENGTH) {
      return fail(`"headers" must map names of 1 to ${MAX_HEADER_NAME_LENGTH} characters to strings of at most ${MAX_HEADER_VALUE_LENGTH}`);
    }
    headers[name] = text;
  }
  return { ok: true, value: headers };
}

function parseJson(text: string): Validation<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return fail('not valid JSON');
  }
}
