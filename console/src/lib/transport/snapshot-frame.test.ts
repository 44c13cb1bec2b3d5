import { describe, expect, it } from 'vitest';
import { snapshotAt } from '../testing/snapshot-fixture.ts';
import { parseSnapshotFrame } from './snapshot-frame.ts';

describe('parseSnapshotFrame', () => {
  it('returns the snapshot of a snapshot frame', () => {
    const snapshot = snapshotAt(1_700_000_000_000);
    expect(parseSnapshotFrame(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('ignores binary data, text that is not JSON, and JSON that is not a snapshot', () => {
    const good = snapshotAt(1);
    const frames: unknown[] = [
      new ArrayBuffer(4),
      undefined,
      'not json',
      '',
      'null',
      '42',
      '[]',
      JSON.stringify({ type: 'welcome', connection: 'c', user: 'u', node: 'n' }),
      JSON.stringify({ ...good, type: 'other' }),
      JSON.stringify({ ...good, at: 'yesterday' }),
      JSON.stringify({ ...good, nodes: {} }),
      JSON.stringify({ ...good, totals: null }),
      JSON.stringify({ ...good, latency: { counts: [] } }),
      JSON.stringify({ ...good, recentPushes: undefined }),
    ];
    for (const frame of frames) expect(parseSnapshotFrame(frame)).toBeUndefined();
  });
});
