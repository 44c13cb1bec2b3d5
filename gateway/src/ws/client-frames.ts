import { MAX_EPOCH_LENGTH, MAX_RESUME_STREAMS, MAX_TOKEN_LENGTH, type ClientFrame, type StreamPosition } from '../protocol.ts';
import { MAX_ID_LENGTH } from '../push/push-validation.ts';
import { isBoundedString, isRecord } from '../validation.ts';

export type ParsedClientFrame = { ok: true; frame: ClientFrame } | { ok: false; error: string };

/** Parses and validates one client → server frame. */
export function parseClientFrame(data: unknown): ParsedClientFrame {
  if (typeof data !== 'string') return { ok: false, error: 'binary frames are not supported' };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, error: 'frame is not valid JSON' };
  }
  if (!isRecord(value)) return { ok: false, error: 'frame must be a JSON object' };
  const { type, id } = value;
  if (type === 'ping') return { ok: true, frame: { type: 'ping' } };
  if (type === 'resume') return parseResume(value.streams);
  if (type === 'ack') {
    if (!isBoundedString(id, MAX_ID_LENGTH)) {
      return { ok: false, error: 'ack needs the push id as a string' };
    }
    return { ok: true, frame: { type: 'ack', id } };
  }
  if (type === 'token') {
    const { token } = value;
    if (!isBoundedString(token, MAX_TOKEN_LENGTH)) {
      return { ok: false, error: `token needs "token": the new token as a string of 1 to ${MAX_TOKEN_LENGTH} characters` };
    }
    return { ok: true, frame: { type: 'token', token } };
  }
  return { ok: false, error: `unknown frame type ${JSON.stringify(type)}` };
}

/** Longest stream name in a resume: a user id or a tag (256 characters) and its prefix. */
const MAX_STREAM_NAME_LENGTH = 258;

function parseResume(streams: unknown): ParsedClientFrame {
  const shape = `resume needs "streams": an object of at most ${MAX_RESUME_STREAMS} streams, each {"epoch": string, "seq": whole number}`;
  if (!isRecord(streams)) return { ok: false, error: shape };
  const entries = Object.entries(streams);
  if (entries.length > MAX_RESUME_STREAMS) return { ok: false, error: shape };
  const positions: Record<string, StreamPosition> = {};
  for (const [stream, position] of entries) {
    if (stream === '' || stream.length > MAX_STREAM_NAME_LENGTH || !isRecord(position)) return { ok: false, error: shape };
    const { epoch, seq } = position;
    if (!isBoundedString(epoch, MAX_EPOCH_LENGTH) || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return { ok: false, error: shape };
    positions[stream] = { epoch, seq };
  }
  return { ok: true, frame: { type: 'resume', streams: positions } };
}
