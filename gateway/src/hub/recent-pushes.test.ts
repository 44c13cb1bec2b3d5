import { describe, expect, it } from 'vitest';
import { ACK_TIMING_WINDOW_MS, createRecentPushes, type PushTiming } from './recent-pushes.ts';

const timing = (id: string, fanoutAt: number): PushTiming => ({
  id,
  acceptedAt: fanoutAt,
  publishedAt: fanoutAt,
  trace: undefined,
  traceId: undefined,
  fanoutAt,
  writtenAt: undefined,
});

describe('recent pushes', () => {
  it('times acks within the window and forgets pushes older than it', () => {
    const recent = createRecentPushes();
    recent.remember(timing('a', 1_000));
    expect(recent.get('a', 1_000 + ACK_TIMING_WINDOW_MS)?.id).toBe('a');
    expect(recent.get('a', 1_001 + ACK_TIMING_WINDOW_MS)).toBeUndefined();
  });

  it('drops the pushes that left the window as new ones arrive', () => {
    const recent = createRecentPushes(100, 1_000);
    recent.remember(timing('old', 0));
    recent.remember(timing('kept', 500));
    recent.remember(timing('new', 1_200));
    // Asked at the old push's own time: only eviction can have removed it.
    expect(recent.get('old', 0)).toBeUndefined();
    expect(recent.get('kept', 500)?.id).toBe('kept');
  });

  it('holds at most its capacity, the oldest going first', () => {
    const recent = createRecentPushes(2, 60_000);
    for (const [i, id] of ['a', 'b', 'c'].entries()) recent.remember(timing(id, i));
    expect(recent.get('a', 3)).toBeUndefined();
    expect(recent.get('b', 3)?.id).toBe('b');
    expect(recent.get('c', 3)?.id).toBe('c');
  });
});
