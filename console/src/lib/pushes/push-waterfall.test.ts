import type { PushInspection, PushNodeRecord } from '@wsgw/gateway/protocol';
import { describe, expect, it } from 'vitest';
import { pushWaterfall } from './push-waterfall.ts';

const node = (over: Partial<PushNodeRecord>): PushNodeRecord => ({
  node: 'n1',
  fanoutAt: 1002,
  fanoutMs: 0.5,
  matched: 0,
  written: 0,
  dropped: { slow_consumer: 0, closed: 0 },
  acked: 0,
  connections: [],
  ...over,
});

const inspection: PushInspection = {
  id: 'p1',
  acceptedBy: 'n1',
  acceptedAt: 1000,
  publishedAt: 1001,
  to: { users: ['alice'] },
  nodes: [
    node({
      node: 'n2',
      fanoutAt: 1003,
      matched: 2,
      written: 2,
      acked: 1,
      dropped: { slow_consumer: 1, closed: 0 },
      connections: [
        { connection: 'c1', user: 'alice', node: 'n2', writtenAt: 1004, ackedAt: 1040 },
        { connection: 'c2', user: 'alice', node: 'n2', writtenAt: 1005, dropped: 'slow_consumer' },
      ],
    }),
    node({ node: 'n1', fanoutAt: 1002, matched: 1, written: 0, connections: [{ connection: 'c3', user: 'alice', node: 'n1' }] }),
  ],
};

describe('pushWaterfall', () => {
  it('measures publication, each fan-out and each write and ack from acceptance, nodes in fan-out order', () => {
    const waterfall = pushWaterfall(inspection);
    expect(waterfall.publish).toEqual({ label: 'accepted → published', startMs: 0, durationMs: 1 });
    expect(waterfall.nodes.map((lane) => lane.record.node)).toEqual(['n1', 'n2']);
    const [n1, n2] = waterfall.nodes;
    expect(n2!.fanout).toEqual({ label: 'fan-out on n2', startMs: 3, durationMs: 0.5 });
    expect(n2!.connections[0]).toMatchObject({
      outcome: { kind: 'acked', writtenMs: 4, ackedMs: 40 },
      write: { startMs: 3, durationMs: 1 },
      ack: { startMs: 4, durationMs: 36 },
    });
    expect(n2!.connections[1]).toMatchObject({ outcome: { kind: 'dropped', reason: 'slow_consumer', writtenMs: 5 }, write: { startMs: 3, durationMs: 2 }, ack: undefined });
    expect(n2!.drops).toEqual([{ reason: 'slow_consumer', count: 1 }]);
    expect(n1!.connections[0]).toMatchObject({ outcome: { kind: 'unwritten' }, write: undefined, ack: undefined });
    expect(n1!.drops).toEqual([]);
    expect(waterfall.totalMs).toBe(40);
  });

  it('counts the connections a truncated node leaves out, and stretches the chart to its slowest percentile', () => {
    const truncated = node({
      matched: 500,
      written: 500,
      acked: 500,
      truncated: true,
      connections: [
        { connection: 'c9', user: 'u9', node: 'n1', writtenAt: 1010, ackedAt: 1100 },
        { connection: 'c8', user: 'u8', node: 'n1', ackedAt: 1090 },
      ],
      writeLatency: { count: 500, p50: 3, p95: 8, p99: 9, max: 10 },
      ackLatency: { count: 500, p50: 20, p95: 90, p99: 110, max: 180 },
    });
    const waterfall = pushWaterfall({ ...inspection, nodes: [truncated] });
    expect(waterfall.nodes[0]!.unlisted).toBe(498);
    // A slowest ack listed without its write instant: measured from the fan-out's start.
    expect(waterfall.nodes[0]!.connections[1]).toMatchObject({ write: undefined, ack: { label: 'fan-out start → acked', startMs: 2, durationMs: 88 } });
    expect(waterfall.totalMs).toBe(180);
  });

  it('keeps the figures of a push that crossed clocks that disagree', () => {
    const skewed = pushWaterfall({ ...inspection, nodes: [node({ fanoutAt: 999, matched: 1, connections: [{ connection: 'c', user: 'u', node: 'n1', writtenAt: 998.5 }] })] });
    expect(skewed.nodes[0]!.fanout.startMs).toBe(-1);
    expect(skewed.nodes[0]!.connections[0]!.write).toMatchObject({ startMs: -1, durationMs: -0.5 });
    expect(skewed.totalMs).toBe(1);
  });

  it('draws a push that matched nobody as its publication alone', () => {
    const waterfall = pushWaterfall({ ...inspection, nodes: [node({})] });
    expect(waterfall.nodes[0]).toMatchObject({ connections: [], unlisted: 0, drops: [] });
    expect(waterfall.totalMs).toBe(2.5);
  });
});
