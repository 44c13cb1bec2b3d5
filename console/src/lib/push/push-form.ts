import type { JsonValue, PushRequest, PushTargetKind } from '@wsgw/gateway/protocol';

export interface PushForm {
  kind: PushTargetKind;
  /** User ids or tags, separated by commas or whitespace; ignored for `all`. */
  target: string;
  /** The push's data as JSON text. */
  data: string;
}

export type PushFormResult = { ok: true; request: PushRequest } | { ok: false; field: 'target' | 'data'; error: string };

/** Splits a target field into its names, dropping empties and repeats. */
export function targetNames(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

/** Turns the test-push form into a request, or says which field is wrong and why. */
export function buildPushRequest(form: PushForm): PushFormResult {
  let data: JsonValue;
  if (form.data.trim() === '') return { ok: false, field: 'data', error: 'Data is empty: enter a JSON value, e.g. {"hello":"world"}' };
  try {
    data = JSON.parse(form.data) as JsonValue;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, field: 'data', error: `Data is not valid JSON: ${detail}` };
  }
  if (form.kind === 'all') return { ok: true, request: { to: { all: true }, data } };
  const names = targetNames(form.target);
  if (names.length === 0) return { ok: false, field: 'target', error: `Enter at least one ${form.kind === 'user' ? 'user id' : 'tag'}` };
  const to = form.kind === 'user' ? { users: names } : { tags: names };
  return { ok: true, request: { to, data } };
}
