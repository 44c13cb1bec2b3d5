import { describe, expect, it } from 'vitest';
import { nodeReport, snapshotAt } from '../testing/snapshot-fixture.ts';
import { createMetricHistory } from './metric-history.ts';

const T0 = 1_700_000_000_000;

describe('createMetricHistory', () => {
  it('turns each snapshot into one point of every column', () => {
    const history = createMetricHistory();
    history.append(
      snapshotAt(T0, [nodeReport({ connections: 5, pushesPerSec: 2, deliveriesPerSec: 9, acksPerSec: 8, dropsPerSec: { slow_consumer: 1, closed: 2 } })], {
        latency: {
          boundsMs: [1, 2],
          counts: [3, 1, 0],
          lastSecond: { p50: 1, p95: 2, p99: 2, count: 4 },
          lastMinute: { p50: 1, p95: 2, p99: 2, count: 4 },
        },
      }),
    );
    const columns = history.columns();
    expect(columns.times).toEqual([T0 / 1000]);
    expect(columns.connections).toEqual([5]);
    expect(columns.pushesPerSec).toEqual([2]);
    expect(columns.deliveriesPerSec).toEqual([9]);
    expect(columns.acksPerSec).toEqual([8]);
    expect(columns.dropsPerSec).toEqual([3]);
    expect([columns.latencyP50, columns.latencyP95, columns.latencyP99]).toEqual([[1], [2], [2]]);
    expect(columns.latencyCounts).toEqual([[3, 1, 0]]);
  });

  it('keeps only the last `capacity` seconds', () => {
    const history = createMetricHistory(300);
    for (let s = 0; s < 400; s += 1) history.append(snapshotAt(T0 + s * 1000, [nodeReport({ connections: s })]));
    const { times, connections } = history.columns();
    expect(times).toHaveLength(300);
    expect(connections[0]).toBe(100);
    expect(connections[299]).toBe(399);
    expect(times[299]! - times[0]!).toBe(299);
  });

  it('ignores a snapshot that is not newer than the last one (a reconnect re-sends the current second)', () => {
    const history = createMetricHistory();
    expect(history.append(snapshotAt(T0, [nodeReport({ connections: 1 })]))).toBe(true);
    expect(history.append(snapshotAt(T0, [nodeReport({ connections: 2 })]))).toBe(false);
    expect(history.append(snapshotAt(T0 - 1000, [nodeReport({ connections: 3 })]))).toBe(false);
    expect(history.columns().connections).toEqual([1]);
  });

  it('marks a silence in the feed with a gap point instead of joining across it', () => {
    const history = createMetricHistory();
    history.append(snapshotAt(T0, [nodeReport({ connections: 1 })]));
    history.append(snapshotAt(T0 + 1000, [nodeReport({ connections: 1 })]));
    history.append(snapshotAt(T0 + 30_000, [nodeReport({ connections: 4 })]));
    const { times, connections } = history.columns();
    expect(times).toEqual([T0 / 1000, T0 / 1000 + 1, T0 / 1000 + 2, T0 / 1000 + 30]);
    expect(connections).toEqual([1, 1, null, 4]);
  });

  it('follows nodes joining and leaving, with nulls where a node did not report', () => {
    const history = createMetricHistory();
    history.append(snapshotAt(T0, [nodeReport({ node: 'b', connections: 2 })]));
    history.append(snapshotAt(T0 + 1000, [nodeReport({ node: 'b', connections: 3 }), nodeReport({ node: 'a', connections: 7 })]));
    history.append(snapshotAt(T0 + 2000, [nodeReport({ node: 'a', connections: 8 })]));
    expect(history.columns().nodes).toEqual([
      { node: 'a', connections: [null, 7, 8] },
      { node: 'b', connections: [2, 3, null] },
    ]);
  });

  it('drops a node from the columns once its last report has left the window', () => {
    const history = createMetricHistory(3);
    history.append(snapshotAt(T0, [nodeReport({ node: 'gone' })]));
    for (let s = 1; s <= 3; s += 1) history.append(snapshotAt(T0 + s * 1000, [nodeReport({ node: 'stays' })]));
    expect(history.columns().nodes.map((n) => n.node)).toEqual(['stays']);
  });

  it('returns the same columns object until the next append', () => {
    const history = createMetricHistory();
    history.append(snapshotAt(T0));
    const first = history.columns();
    expect(history.columns()).toBe(first);
    history.append(snapshotAt(T0 + 1000));
    expect(history.columns()).not.toBe(first);
    expect(history.length).toBe(2);
  });
});
