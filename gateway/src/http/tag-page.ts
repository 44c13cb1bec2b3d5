import type { TagPageRequest } from '../cluster/cluster-tags.ts';
import { MAX_ID_LENGTH, TAG_PAGE_DEFAULT_LIMIT, TAG_PAGE_MAX_LIMIT } from '../protocol.ts';
import { fail, hasUnfitCharacters, type Validation } from '../validation.ts';

/** Longest connection id a cursor may carry, characters (they are UUIDs). */
const MAX_CURSOR_ID = 128;

/**
 * The cursor of `GET /api/tags/:tag` is the last connection id of the page, base64url-encoded:
 * opaque to callers, so the order it walks (by id) can change without breaking them.
 */
export const encodeCursor = (lastId: string): string => Buffer.from(lastId, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  // A cursor must round-trip: anything else was not made by encodeCursor.
  if (id === '' || id.length > MAX_CURSOR_ID || encodeCursor(id) !== cursor) return undefined;
  return id;
}

/** Checks the tag and the query of `GET /api/tags/:tag`: `limit` 1–1000 (default 100), `cursor` from a previous page. */
export function parseTagPage(tag: string, limit: string | undefined, cursor: string | undefined): Validation<TagPageRequest> {
  if (tag === '' || tag.length > MAX_ID_LENGTH || hasUnfitCharacters(tag)) return fail(`tag must be 1 to ${MAX_ID_LENGTH} characters without control characters`);
  let size = TAG_PAGE_DEFAULT_LIMIT;
  if (limit !== undefined) {
    if (!/^[0-9]{1,5}$/.test(limit) || Number(limit) < 1 || Number(limit) > TAG_PAGE_MAX_LIMIT) return fail(`limit must be an integer from 1 to ${TAG_PAGE_MAX_LIMIT}`);
    size = Number(limit);
  }
  if (cursor === undefined) return { ok: true, value: { tag, limit: size } };
  const after = decodeCursor(cursor);
  if (after === undefined) return fail('cursor is not one a previous page gave');
  return { ok: true, value: { tag, limit: size, after } };
}
