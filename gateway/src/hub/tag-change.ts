import { MAX_CONNECTION_TAGS, MAX_ID_LENGTH } from '../protocol.ts';
import { fail, hasUnfitCharacters, isRecord, type Validation } from '../validation.ts';

/** Tags to add to and remove from a connection; checked by `parseTagChange`, never both for one tag. */
export interface TagChange {
  add: string[];
  remove: string[];
}

/** What a change did to one connection's tags; undefined from `applyTagChange` when it did nothing. */
export interface TagDelta {
  tags: string[];
  added: string[];
  removed: string[];
}

/**
 * A tag list of a change, held to the rules of a token's `tags` claim (auth/token-verifier.ts):
 * non-empty strings of at most `MAX_ID_LENGTH` characters, without control characters or unpaired
 * surrogates, at most `MAX_CONNECTION_TAGS` of them.
 */
function tagList(value: unknown, field: string): Validation<string[]> {
  if (value === undefined) return { ok: true, value: [] };
  if (!Array.isArray(value)) return fail(`${field} must be an array of tags`);
  if (value.length > MAX_CONNECTION_TAGS) return fail(`${field} has more than ${MAX_CONNECTION_TAGS} tags`);
  for (const tag of value) {
    if (typeof tag !== 'string' || tag === '' || tag.length > MAX_ID_LENGTH) {
      return fail(`${field} must hold non-empty strings of at most ${MAX_ID_LENGTH} characters`);
    }
    if (hasUnfitCharacters(tag)) return fail(`${field} has a tag with control characters or unpaired surrogates`);
  }
  return { ok: true, value: [...new Set(value as string[])] };
}

/** Checks a change from an API caller or a peer: `{"add": [...], "remove": [...]}`. */
export function parseTagChange(value: unknown): Validation<TagChange> {
  if (!isRecord(value)) return fail('body must be an object with "add" and/or "remove"');
  const add = tagList(value.add, 'add');
  if (!add.ok) return add;
  const remove = tagList(value.remove, 'remove');
  if (!remove.ok) return remove;
  if (add.value.length === 0 && remove.value.length === 0) return fail('nothing to change: give "add" or "remove" tags');
  const removed = new Set(remove.value);
  const both = add.value.find((tag) => removed.has(tag));
  if (both !== undefined) return fail(`tag ${JSON.stringify(both)} is both added and removed`);
  return { ok: true, value: { add: add.value, remove: remove.value } };
}

/**
 * The tags `current` becomes under `change`, in order (kept tags first, then the added ones).
 * Undefined when nothing changes; `{ refused: true }` when the result would pass `MAX_CONNECTION_TAGS`.
 */
export function applyTagChange(current: readonly string[], change: TagChange): TagDelta | { refused: true } | undefined {
  const removing = new Set(change.remove);
  const kept = current.filter((tag) => !removing.has(tag));
  const removed = current.filter((tag) => removing.has(tag));
  const had = new Set(current);
  const added = change.add.filter((tag) => !had.has(tag));
  if (added.length === 0 && removed.length === 0) return undefined;
  if (kept.length + added.length > MAX_CONNECTION_TAGS) return { refused: true };
  return { tags: [...kept, ...added], added, removed };
}
