import type { DeliveryRecord } from '@wsgw/gateway/protocol';
import { describe, expect, it } from 'vitest';
import { deliveryKey, deliveryWaterfall, stageBar } from './waterfall.ts';

const record: DeliveryRecord = {
  push: 'p1',
  traceId: 'a'.repeat(32),
  user: 'slowpoke',
  connection: 'c1',
  node: 'n2',
  accepted: 1000,
  published: 1000.5,
  fanoutStarted: 1002,
  written: 1002.25,
  acked: 1402.25,
  latencyMs: 402.25,
};

describe('deliveryWaterfall', () => {
  it('measures each stage from acceptance', () => {
    const { stages, totalMs } = deliveryWaterfall(record);
    expect(totalMs).toBe(402.25);
    expect(stages).toEqual([
      { label: 'accepted → published', startMs: 0, durationMs: 0.5 },
      { label: 'published → fan-out start', startMs: 0.5, durationMs: 1.5 },
      { label: 'fan-out start → written', startMs: 2, durationMs: 0.25 },
      { label: 'written → acked', startMs: 2.25, durationMs: 400 },
    ]);
  });

  it('keys a delivery by push and connection', () => {
    expect(deliveryKey(record)).toBe('p1/c1');
  });
});

describe('stageBar', () => {
  it('places a stage as percentages of the total', () => {
    expect(stageBar({ label: 'x', startMs: 100, durationMs: 300 }, 400)).toEqual({ left: 25, width: 75 });
  });

  it('keeps tiny and clock-skewed stages visible and inside the chart', () => {
    expect(stageBar({ label: 'x', startMs: 0, durationMs: 0.01 }, 400).width).toBe(0.4);
    expect(stageBar({ label: 'x', startMs: -5, durationMs: -2 }, 400)).toEqual({ left: 0, width: 0.4 });
    const last = stageBar({ label: 'x', startMs: 400, durationMs: 0 }, 400);
    expect(last.left + last.width).toBeLessThanOrEqual(100);
  });

  it('fills the row when there is no total to divide by', () => {
    expect(stageBar({ label: 'x', startMs: 0, durationMs: 0 }, 0)).toEqual({ left: 0, width: 100 });
  });
});
