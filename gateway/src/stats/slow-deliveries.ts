import type { DeliveryRecord, SlowDeliveriesReport } from '../protocol.ts';
import { ignoringObserver, type GatewayObserver } from '../telemetry/gateway-observer.ts';

export type { DeliveryRecord, SlowDeliveriesReport };

export interface SlowDeliveries {
  readonly observer: GatewayObserver;
  report(now?: number): SlowDeliveriesReport;
  /** The `count` newest deliveries over the threshold, newest first. */
  newest(count: number): DeliveryRecord[];
}

export interface SlowDeliveriesOptions {
  nodeId: string;
  thresholdMs: number;
  /** How many of the slowest recent deliveries to keep (default 50). */
  slowestCount?: number;
  /** How many over-threshold deliveries to keep (default 500). */
  overThresholdCount?: number;
  /** How far back "recent" reaches for the slowest list, ms (default 5 minutes). */
  windowMs?: number;
}

/**
 * Keeps, in bounded memory, the slowest recent deliveries and the latest ones over the threshold,
 * so an engineer can find a slow delivery and its trace without an external trace store.
 */
export function createSlowDeliveries(options: SlowDeliveriesOptions): SlowDeliveries {
  const slowestCount = options.slowestCount ?? 50;
  const overCount = options.overThresholdCount ?? 500;
  const windowMs = options.windowMs ?? 5 * 60_000;
  let slowest: DeliveryRecord[] = [];
  const over: DeliveryRecord[] = [];

  const keep = (record: DeliveryRecord) => {
    if (record.latencyMs >= options.thresholdMs) {
      over.push(record);
      if (over.length > overCount) over.shift();
    }
    const cutoff = record.acked - windowMs;
    const last = slowest[slowest.length - 1];
    if (slowest.length >= slowestCount && last && last.latencyMs >= record.latencyMs && last.acked >= cutoff) return;
    slowest = slowest.filter((entry) => entry.acked >= cutoff);
    slowest.push(record);
    slowest.sort((a, b) => b.latencyMs - a.latencyMs);
    if (slowest.length > slowestCount) slowest.length = slowestCount;
  };

  const observer: GatewayObserver = {
    ...ignoringObserver,
    acked(connection, pushId, timing, ackedAt) {
      if (!timing || timing.writtenAt === undefined) return;
      keep({
        push: pushId,
        traceId: timing.traceId,
        user: connection.user,
        connection: connection.id,
        node: options.nodeId,
        accepted: timing.acceptedAt,
        published: timing.publishedAt,
        fanoutStarted: timing.fanoutAt,
        written: timing.writtenAt,
        acked: ackedAt,
        latencyMs: ackedAt - timing.acceptedAt,
      });
    },
  };

  return {
    observer,
    report(now = Date.now()) {
      const cutoff = now - windowMs;
      return {
        thresholdMs: options.thresholdMs,
        slowest: slowest.filter((entry) => entry.acked >= cutoff),
        overThreshold: [...over].reverse(),
      };
    },
    newest: (count) => over.slice(-count).reverse(),
  };
}
