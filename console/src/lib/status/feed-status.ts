import type { FeedStatus } from '../transport/feed-socket.ts';

export type StatusTone = 'live' | 'stale' | 'connecting' | 'down';

export interface StatusLabel {
  tone: StatusTone;
  text: string;
  /** Longer explanation for a tooltip. */
  detail: string;
}

/** Snapshots come every second; a feed silent longer than this (ms) is not shown as live. */
export const STALE_AFTER_MS = 3000;

/**
 * What the status badge says. It only claims "live" while snapshots keep arriving, so a socket
 * that is open but silent reads "stale", and a lost feed says when it will try again.
 */
export function describeFeedStatus(status: FeedStatus, now: number): StatusLabel {
  const age = status.lastSnapshotAt === undefined ? undefined : now - status.lastSnapshotAt;
  const last = age === undefined ? 'no snapshot yet' : `last snapshot ${Math.round(age / 1000)}s ago`;
  if (status.state === 'open') {
    if (age !== undefined && age <= STALE_AFTER_MS) return { tone: 'live', text: 'live', detail: 'receiving one snapshot per second' };
    if (age === undefined) return { tone: 'connecting', text: 'connecting…', detail: 'connected, waiting for the first snapshot' };
    return { tone: 'stale', text: `stale — ${Math.round(age / 1000)}s`, detail: `connected but ${last}` };
  }
  if (status.state === 'connecting') {
    return { tone: 'connecting', text: 'connecting…', detail: status.failures > 0 ? `attempt ${status.failures + 1}, ${last}` : last };
  }
  const wait = status.retryAt === undefined ? undefined : Math.max(0, Math.ceil((status.retryAt - now) / 1000));
  const code = status.closeCode === undefined ? '' : ` (close ${status.closeCode})`;
  const text = wait === undefined ? 'disconnected' : wait === 0 ? 'disconnected — retrying now' : `disconnected — retrying in ${wait}s`;
  return { tone: 'down', text, detail: `feed lost${code}, ${last}` };
}
