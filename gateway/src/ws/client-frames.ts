import type { ClientFrame } from '../protocol.ts';
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
  if (type === 'ack') {
    if (!isBoundedString(id, MAX_ID_LENGTH)) {
      return { ok: false, error: 'ack needs the push id as a string' };
    }
    return { ok: true, frame: { type: 'ack', id } };
  }
  return { ok: false, error: `unknown frame type ${JSON.stringify(type)}` };
}
