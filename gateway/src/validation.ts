/**
 * The checks every untrusted JSON value goes through, wherever it comes from (the push API, a
 * client frame, the bus): one definition of "a plain object" and "a bounded string", so the push
 * API and the bus are held to the same rules.
 */

export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

export function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A count as peers send it: a non-negative safe integer. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A non-empty string of at most `max` characters. */
export function isBoundedString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value !== '' && value.length <= max;
}

/**
 * What a user id or tag may not contain: control characters (they would end up in logs, URLs and
 * bus messages) and UTF-16 surrogates without their pair (no UTF-8 text can carry them).
 */
const UNFIT_ID = /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `text` holds a character no user id or tag may hold (see `UNFIT_ID`). */
export const hasUnfitCharacters = (text: string): boolean => UNFIT_ID.test(text);
