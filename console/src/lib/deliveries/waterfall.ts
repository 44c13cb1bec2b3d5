import type { DeliveryRecord } from '@wsgw/gateway/protocol';

export interface WaterfallStage {
  label: string;
  /** Offset of the stage's start from `accepted`, ms. */
  startMs: number;
  /** Length of the stage, ms. Can be slightly negative when the push crossed nodes whose clocks disagree. */
  durationMs: number;
}

export interface Waterfall {
  stages: WaterfallStage[];
  /** accepted → acked, ms. */
  totalMs: number;
}

/** The instants a delivery passes, in order, with the name of the stage that ends at each. */
const STEPS = [
  ['published', 'accepted → published'],
  ['fanoutStarted', 'published → fan-out start'],
  ['written', 'fan-out start → written'],
  ['acked', 'written → acked'],
] as const;

/** The delivery's life as consecutive stages, each measured from `accepted`. */
export function deliveryWaterfall(record: DeliveryRecord): Waterfall {
  let from = record.accepted;
  const stages = STEPS.map(([field, label]) => {
    const to = record[field];
    const stage = { label, startMs: from - record.accepted, durationMs: to - from };
    from = to;
    return stage;
  });
  return { stages, totalMs: record.acked - record.accepted };
}

/**
 * Where a stage's bar sits, as percentages of the total width: clamped to the chart, and never
 * thinner than `minWidth` so a 0.1 ms stage is still visible next to a 400 ms one.
 */
export function stageBar(stage: WaterfallStage, totalMs: number, minWidth = 0.4): { left: number; width: number } {
  if (totalMs <= 0) return { left: 0, width: 100 };
  const clamp = (n: number) => Math.min(100, Math.max(0, n));
  const left = clamp((stage.startMs / totalMs) * 100);
  const width = Math.max(minWidth, clamp((Math.max(0, stage.durationMs) / totalMs) * 100));
  return { left: Math.min(left, 100 - width), width };
}

/** Identity of a delivery: one push reaches many connections. */
export const deliveryKey = (record: Pick<DeliveryRecord, 'push' | 'connection'>): string => `${record.push}/${record.connection}`;
