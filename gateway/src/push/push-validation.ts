import { fail, isBoundedString, isRecord, type Validation } from '../validation.ts';
import { depthError } from './json-payload.ts';
import type { PushSource } from './push-body.ts';
import type { NormalizedTarget } from './push-envelope.ts';

/** A push request that passed validation. */
export interface ValidPush {
  to: NormalizedTarget;
  /** `data` exactly as the caller sent it: valid JSON text within `MAX_DATA_DEPTH`. */
  payload: string;
  id?: string;
}

/** Longest push id, characters (the push API's and the bus's). */
export const MAX_ID_LENGTH = 128;
const MAX_TARGETS = 10_000;

/** Checks one push body (`POST /api/push`, or one entry of a batch). */
export function validatePush(source: PushSource): Validation<ValidPush> {
  const body = source.value;
  if (!isRecord(body)) return fail('push must be a JSON object');
  const { to, id } = body;
  const target = validateTarget(to);
  if (!target.ok) return target;
  const { data } = source;
  if (data === undefined) return fail('"data" is required');
  const tooDeep = depthError(data.depth);
  if (tooDeep) return fail(tooDeep);
  if (id !== undefined && !isBoundedString(id, MAX_ID_LENGTH)) {
    return fail(`"id" must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  }
  return {
    ok: true,
    value: { to: target.value, payload: data.text, ...(id !== undefined && { id }) },
  };
}

/** Checks a push's `to` (the push API's and the bus's): at least one target, lists of non-empty strings. */
export function validateTarget(to: unknown): Validation<NormalizedTarget> {
  if (!isRecord(to)) return fail('"to" must be an object with users, tags or all');
  const users = stringList(to.users, 'to.users');
  if (!users.ok) return users;
  const tags = stringList(to.tags, 'to.tags');
  if (!tags.ok) return tags;
  if (to.all !== undefined && typeof to.all !== 'boolean') return fail('"to.all" must be a boolean');
  const all = to.all === true;
  if (!all && users.value.length === 0 && tags.value.length === 0) {
    return fail('push has no target: set to.users, to.tags or to.all');
  }
  return { ok: true, value: { users: users.value, tags: tags.value, all } };
}

function stringList(value: unknown, name: string): Validation<string[]> {
  if (value === undefined) return { ok: true, value: [] };
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
    return fail(`"${name}" must be an array of non-empty strings`);
  }
  if (value.length > MAX_TARGETS) return fail(`"${name}" has more than ${MAX_TARGETS} entries`);
  return { ok: true, value: [...new Set(value as string[])] };
}
