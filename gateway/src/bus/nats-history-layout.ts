import { createHash } from 'node:crypto';

/**
 * Where a cluster's stream history lives in JetStream: two streams per bus prefix, and one subject
 * per wsgw stream in each.
 * - `counters`: the last position of every wsgw stream (`<prefix>.pos.<token>`, one message each).
 * - `entries`: the pushes each wsgw stream holds (`<prefix>.h.<token>`, its last `size`, within the TTL).
 */
export interface NatsHistoryLayout {
  /** JetStream stream of the positions. */
  readonly counters: string;
  /** JetStream stream of the held pushes. */
  readonly entries: string;
  readonly counterSubjects: string;
  readonly entrySubjects: string;
  counterSubject(stream: string): string;
  entrySubject(stream: string): string;
}

/** Longest part of a JetStream stream name taken from the prefix; a hash keeps longer ones apart. */
const MAX_NAME_PART = 64;
/** Stream names whose base64url token would be longer than this are named by their hash instead. */
const MAX_TOKEN_LENGTH = 200;

const digest = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * A wsgw stream name as one subject token. User ids and tags may hold `.`, `*`, `>` or spaces, which
 * NATS reads as structure, so the name goes as base64url of its UTF-8 (`b…`); one too long for a
 * subject goes as the hash of it (`h…`). The letters keep the two kinds from colliding.
 */
export function subjectToken(stream: string): string {
  const token = Buffer.from(stream, 'utf8').toString('base64url');
  return token.length <= MAX_TOKEN_LENGTH ? `b${token}` : `h${digest(stream)}`;
}

/**
 * JetStream stream names allow no `.`, `*`, `>`, whitespace or path separators: the prefix keeps
 * its letters, digits, `-` and `_`, and a short hash of it tells apart prefixes that clean to the same.
 */
export function historyLayout(prefix: string): NatsHistoryLayout {
  const cleaned = prefix.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, MAX_NAME_PART);
  const base = `WSGW_${cleaned}_${digest(prefix).replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}`;
  return {
    counters: `${base}_POS`,
    entries: `${base}_HIST`,
    counterSubjects: `${prefix}.pos.>`,
    entrySubjects: `${prefix}.h.>`,
    counterSubject: (stream) => `${prefix}.pos.${subjectToken(stream)}`,
    entrySubject: (stream) => `${prefix}.h.${subjectToken(stream)}`,
  };
}
