import { isRecord } from '../validation.ts';
import { arrayElements, objectMembers, skipWhitespace, type ValueSpan } from './json-payload.ts';

/**
 * One push of a request body as `JSON.parse` read it, with its `data` kept as the exact text the
 * caller sent (see json-payload.ts): that text, not the parsed value, is what clients receive.
 */
export interface PushSource {
  value: unknown;
  /** The `data` member's JSON text and nesting; undefined when the push has no `data`. */
  data: { text: string; depth: number } | undefined;
}

/** The push in the body of `POST /api/push`; `value` is `JSON.parse(text)`. */
export function singlePush(text: string, value: unknown): PushSource {
  return sourceAt(text, skipWhitespace(text, 0), value);
}

/** The entries of `POST /api/push/batch`'s `pushes`, or undefined when it is not an array. */
export function batchPushes(text: string, value: unknown): PushSource[] | undefined {
  const entries = isRecord(value) ? value.pushes : undefined;
  if (!Array.isArray(entries)) return undefined;
  const span = objectMembers(text, skipWhitespace(text, 0)).get('pushes')!;
  const spans = arrayElements(text, span.start);
  return entries.map((entry: unknown, index) => sourceAt(text, spans[index]!.start, entry));
}

function sourceAt(text: string, at: number, value: unknown): PushSource {
  if (!isRecord(value)) return { value, data: undefined };
  const data: ValueSpan | undefined = objectMembers(text, at).get('data');
  return { value, data: data && { text: text.slice(data.start, data.end), depth: data.depth } };
}
