import { BROADCAST_STREAM, TAG_STREAM_PREFIX, USER_STREAM_PREFIX } from '../protocol.ts';
import type { NormalizedTarget } from './push-envelope.ts';

/** The stream of a user's pushes. */
export const userStream = (user: string): string => USER_STREAM_PREFIX + user;

/** The stream of a tag's pushes. */
export const tagStream = (tag: string): string => TAG_STREAM_PREFIX + tag;

/** The streams a push is appended to: one per user and tag it names, and `all` for a broadcast. */
export function streamsOfTarget(to: NormalizedTarget): string[] {
  const streams = to.users.map(userStream);
  for (const tag of to.tags) streams.push(tagStream(tag));
  if (to.all) streams.push(BROADCAST_STREAM);
  return streams;
}

/** The streams a connection holds: its user's, one per tag, and `all`. */
export function streamsOfConnection(user: string, tags: readonly string[]): string[] {
  return [userStream(user), ...tags.map(tagStream), BROADCAST_STREAM];
}

/**
 * Where `stream` stands in `streamsOfConnection(user, tags)`, -1 when the connection does not hold
 * it; read off the name, without building the list (the fan-out asks per matched connection).
 */
export function streamIndexOf(user: string, tags: readonly string[], stream: string): number {
  if (stream === BROADCAST_STREAM) return tags.length + 1;
  if (stream.startsWith(USER_STREAM_PREFIX)) return stream.length === USER_STREAM_PREFIX.length + user.length && stream.endsWith(user) ? 0 : -1;
  if (!stream.startsWith(TAG_STREAM_PREFIX)) return -1;
  const tag = tags.indexOf(stream.slice(TAG_STREAM_PREFIX.length));
  return tag < 0 ? -1 : 1 + tag;
}
