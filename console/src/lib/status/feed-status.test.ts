import { describe, expect, it } from 'vitest';
import { INITIAL_FEED_STATUS, type FeedStatus } from '../transport/feed-socket.ts';
import { describeFeedStatus } from './feed-status.ts';

const NOW = 1_700_000_000_000;
const status = (patch: Partial<FeedStatus>): FeedStatus => ({ ...INITIAL_FEED_STATUS, ...patch });

describe('describeFeedStatus', () => {
  it('is live while snapshots keep coming', () => {
    expect(describeFeedStatus(status({ state: 'open', lastSnapshotAt: NOW - 900 }), NOW)).toMatchObject({ tone: 'live', text: 'live' });
    expect(describeFeedStatus(status({ state: 'open', lastSnapshotAt: NOW - 3000 }), NOW).tone).toBe('live');
  });

  it('is stale, not live, when an open feed went quiet for more than 3 s', () => {
    const label = describeFeedStatus(status({ state: 'open', lastSnapshotAt: NOW - 7200 }), NOW);
    expect(label.tone).toBe('stale');
    expect(label.text).toBe('stale — 7s');
  });

  it('is connecting while the socket opens or before the first snapshot', () => {
    expect(describeFeedStatus(status({ state: 'connecting' }), NOW).text).toBe('connecting…');
    expect(describeFeedStatus(status({ state: 'open' }), NOW).text).toBe('connecting…');
  });

  it('counts down to the next attempt while disconnected', () => {
    const down = status({ state: 'disconnected', retryAt: NOW + 4200, closeCode: 1006, failures: 3 });
    expect(describeFeedStatus(down, NOW)).toMatchObject({ tone: 'down', text: 'disconnected — retrying in 5s' });
    expect(describeFeedStatus(down, NOW + 4200).text).toBe('disconnected — retrying now');
    expect(describeFeedStatus(down, NOW).detail).toContain('1006');
  });

  it('says disconnected, without a countdown, when stopped', () => {
    expect(describeFeedStatus(INITIAL_FEED_STATUS, NOW).text).toBe('disconnected');
  });
});
