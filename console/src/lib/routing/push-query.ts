/**
 * What the push inspector view shows, as its hash says: `#/pushes/<id>` is one push,
 * `#/pushes?user=<user>` a user's recent pushes. The hash is the one source of the query, so a
 * push id anywhere in the console is a plain link, and the browser's back button returns to the list.
 */
export type PushQuery = { kind: 'push'; id: string } | { kind: 'user'; user: string };

/** The query of a `#/pushes…` hash; undefined for a bare `#/pushes`, another route or a malformed escape. */
export function parsePushQuery(hash: string): PushQuery | undefined {
  const match = /^#\/?pushes(?:\/([^?]*))?(?:\?(.*))?$/.exec(hash);
  if (!match) return undefined;
  const [, id, search] = match;
  const decoded = decode(id ?? '');
  if (decoded) return { kind: 'push', id: decoded };
  // Read by hand, like the token: URLSearchParams would turn a `+` in a user id into a space.
  const user = /(?:^|&)user=([^&]*)/.exec(search ?? '')?.[1];
  const decodedUser = decode(user ?? '');
  return decodedUser ? { kind: 'user', user: decodedUser } : undefined;
}

/** The hash that shows `query`; the bare view without one. */
export function pushQueryHash(query?: PushQuery): string {
  if (!query) return '#/pushes';
  return query.kind === 'push' ? `#/pushes/${encodeURIComponent(query.id)}` : `#/pushes?user=${encodeURIComponent(query.user)}`;
}

/** Two queries ask the same thing. */
export const samePushQuery = (a: PushQuery | undefined, b: PushQuery | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && pushQueryHash(a) === pushQueryHash(b));

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text).trim() || undefined;
  } catch {
    return undefined;
  }
}
