import { parseBusMessage } from './bus-validation.ts';
import type { BusMessageKind, HistoryEntry } from './bus.ts';
import type { StreamPosition } from '../protocol.ts';

/** Counts and logs what the broker held that is unusable (`BusListeners.invalid`). */
export type DropInvalid = (kind: BusMessageKind, reason: string) => void;

const ENTRY_ID = /^(\d{1,15})-0$/;

/**
 * The entries a read script returned (id, append time, text; newest first), as a stream's held
 * pushes, oldest first. Entries appended before `cutoff` (server ms) or whose body has expired
 * are no longer held and are left out (the age is checked here, not only by trimming, which
 * happens on appends and size refreshes). Nothing from the broker is trusted: an entry whose id is
 * not a position of the stream, whose text fails `parseBusMessage`, or whose message does not
 * name this very position is dropped and counted, so a forged entry can neither crash the node
 * nor make a client skip or repeat a push.
 */
export function heldEntries(stream: string, position: StreamPosition, flat: unknown[], cutoff: number, drop: DropInvalid): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (let i = flat.length - 3; i >= 0; i -= 3) {
    const [id, at, text] = [flat[i], flat[i + 1], flat[i + 2]];
    if (typeof at !== 'string' || !/^\d{1,16}$/.test(at)) {
      drop('push', 'history entry has no append time');
      continue;
    }
    // Past its age, or its body expired: no longer held, which is no fault of the entry.
    if (Number(at) < cutoff || typeof text !== 'string' || text === '') continue;
    const seq = typeof id === 'string' ? Number(ENTRY_ID.exec(id)?.[1]) : Number.NaN;
    if (!(seq >= 1 && seq <= position.seq)) {
      drop('push', 'history entry id is not a position of its stream');
      continue;
    }
    const message = parseBusMessage(text);
    if (!message.ok) {
      drop('push', `history entry: ${message.error}`);
      continue;
    }
    const given = message.value.positions[stream];
    if (given?.epoch !== position.epoch || given.seq !== seq) {
      drop('push', 'history entry is not the push given its position');
      continue;
    }
    // Ids are unique and the script returns them newest first: walking back gives oldest first.
    entries.push({ seq, message: message.value });
  }
  return entries;
}
