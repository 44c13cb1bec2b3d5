import type { DropReason, PushConnectionRecord } from '@wsgw/gateway/protocol';
import { formatMs } from '../format/units.ts';

/**
 * What became of a push on one connection, with its instants as ms after acceptance. A frame that
 * was written and then dropped (a socket closed before the ack) is a drop: the drop is what support
 * needs to see.
 */
export type ConnectionOutcome =
  | { kind: 'acked'; writtenMs: number | undefined; ackedMs: number }
  | { kind: 'written'; writtenMs: number }
  | { kind: 'dropped'; reason: DropReason; writtenMs: number | undefined }
  | { kind: 'unwritten' };

export function connectionOutcome(record: PushConnectionRecord, acceptedAt: number): ConnectionOutcome {
  const writtenMs = record.writtenAt === undefined ? undefined : record.writtenAt - acceptedAt;
  if (record.dropped) return { kind: 'dropped', reason: record.dropped, writtenMs };
  if (record.ackedAt !== undefined) return { kind: 'acked', writtenMs, ackedMs: record.ackedAt - acceptedAt };
  if (writtenMs !== undefined) return { kind: 'written', writtenMs };
  return { kind: 'unwritten' };
}

/** The outcome in a few words: `acked +12 ms`, `written +0.4 ms, no ack yet`, `dropped: slow_consumer`. */
export function describeOutcome(outcome: ConnectionOutcome): string {
  switch (outcome.kind) {
    case 'acked':
      return `acked +${formatMs(outcome.ackedMs)}`;
    case 'written':
      return `written +${formatMs(outcome.writtenMs)}, no ack yet`;
    case 'dropped':
      return `dropped: ${outcome.reason}`;
    case 'unwritten':
      return 'not written';
  }
}

/** Counts of each outcome over a push's connections, for a one-line summary. */
export function outcomeCounts(outcomes: readonly ConnectionOutcome[]): Record<ConnectionOutcome['kind'], number> {
  const counts = { acked: 0, written: 0, dropped: 0, unwritten: 0 };
  for (const outcome of outcomes) counts[outcome.kind] += 1;
  return counts;
}
