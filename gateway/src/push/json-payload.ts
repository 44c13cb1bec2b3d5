import { MAX_DATA_DEPTH } from '../protocol.ts';

/**
 * A push's `data` travels as the JSON text the backend sent, never re-serialised: parsing and
 * stringifying would turn `1e400` into `null` and round integers above 2^53 (64-bit ids), and
 * `JSON.stringify` recurses, so deep nesting would overflow the stack. The text is validated
 * here instead, once where it enters the gateway (the push API, the bus), so that it can be
 * spliced into every frame as it is.
 */

/** Where one JSON value lies in a text, and how deeply its arrays and objects nest (0 for a scalar). */
export interface ValueSpan {
  start: number;
  end: number;
  depth: number;
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Checks that `text` is exactly one JSON value nesting at most `MAX_DATA_DEPTH` levels.
 * Returns the reason it is not, or undefined when it is.
 */
export function checkPayloadText(text: string): string | undefined {
  try {
    JSON.parse(text);
  } catch {
    return 'data is not valid JSON';
  }
  return depthError(valueSpan(text, skipWhitespace(text, 0)).depth);
}

/** The error for a value nesting `depth` levels, when that is over the limit. */
export function depthError(depth: number): string | undefined {
  return depth > MAX_DATA_DEPTH ? `"data" nests deeper than ${MAX_DATA_DEPTH} levels` : undefined;
}

export function skipWhitespace(text: string, at: number): number {
  let i = at;
  while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i += 1;
  return i;
}

/** The end of the string literal opening at `at` (just past its closing quote). */
function stringEnd(text: string, at: number): number {
  let i = at + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/**
 * The span of the value starting at `at` in a text that `JSON.parse` accepted. A loop with a depth
 * counter, not recursion: nesting is bounded only by the body limit.
 */
export function valueSpan(text: string, at: number): ValueSpan {
  const first = text.charCodeAt(at);
  if (first === QUOTE) return { start: at, end: stringEnd(text, at), depth: 0 };
  if (!OPEN.has(first)) {
    let i = at;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code === COMMA || CLOSE.has(code) || WHITESPACE.has(code)) break;
      i += 1;
    }
    return { start: at, end: i, depth: 0 };
  }
  let depth = 0;
  let deepest = 0;
  let i = at;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = stringEnd(text, i);
      continue;
    }
    if (OPEN.has(code)) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (CLOSE.has(code)) {
      depth -= 1;
      if (depth === 0) return { start: at, end: i + 1, depth: deepest };
    }
    i += 1;
  }
  return { start: at, end: text.length, depth: deepest };
}

/**
 * The members of the object opening at `at` (a text `JSON.parse` accepted), by key. A repeated key
 * keeps its last value, as `JSON.parse` does.
 */
export function objectMembers(text: string, at: number): Map<string, ValueSpan> {
  const members = new Map<string, ValueSpan>();
  let i = skipWhitespace(text, at + 1);
  while (text.charCodeAt(i) === QUOTE) {
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) break;
    const span = valueSpan(text, skipWhitespace(text, i + 1));
    members.set(key, span);
    i = skipWhitespace(text, span.end);
    if (text.charCodeAt(i) !== COMMA) break;
    i = skipWhitespace(text, i + 1);
  }
  return members;
}

/** The elements of the array opening at `at` (a text `JSON.parse` accepted). */
export function arrayElements(text: string, at: number): ValueSpan[] {
  const elements: ValueSpan[] = [];
  let i = skipWhitespace(text, at + 1);
  if (text.charCodeAt(i) === 0x5d) return elements;
  while (i < text.length) {
    const span = valueSpan(text, i);
    elements.push(span);
    i = skipWhitespace(text, span.end);
    if (text.charCodeAt(i) !== COMMA) break;
    i = skipWhitespace(text, i + 1);
  }
  return elements;
}
