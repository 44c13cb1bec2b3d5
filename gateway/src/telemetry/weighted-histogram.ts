import type { Registry, RegistryContentType } from 'prom-client';

export interface Exemplar {
  labels: Record<string, string>;
  value: number;
  /** Epoch seconds. */
  timestamp: number;
}

/**
 * A label-less histogram that takes `count` identical observations in one call. Fan-out knows
 * that all N deliveries of one push in one write round share the same latency; recording that as
 * one weighted observation keeps a 10k-connection broadcast at one histogram update instead of
 * 10k label lookups. It exposes itself to prom-client's registry (text and OpenMetrics, with
 * exemplars in the latter) through the registry's metric interface.
 */
export interface WeightedHistogram {
  readonly name: string;
  observe(value: number, count?: number, exemplarLabels?: Record<string, string>): void;
  reset(): void;
}

export function createWeightedHistogram(options: {
  name: string;
  help: string;
  buckets: readonly number[];
  registers: Array<Registry<RegistryContentType>>;
}): WeightedHistogram {
  const bounds = [...options.buckets].sort((a, b) => a - b);
  let counts = new Float64Array(bounds.length + 1); // last slot: above every bound (+Inf only)
  let exemplars: Array<Exemplar | undefined> = new Array(bounds.length + 1);
  let sum = 0;
  let total = 0;

  const slotOf = (value: number) => {
    let low = 0;
    let high = bounds.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (value <= bounds[mid]!) high = mid;
      else low = mid + 1;
    }
    return low;
  };

  const metric = {
    name: options.name,
    help: options.help,
    type: 'histogram' as const,
    aggregator: 'sum' as const,
    observe(value: number, count = 1, exemplarLabels?: Record<string, string>) {
      if (!Number.isFinite(value) || count <= 0) return;
      const slot = slotOf(value);
      counts[slot]! += count;
      sum += value * count;
      total += count;
      if (exemplarLabels) exemplars[slot] = { labels: exemplarLabels, value, timestamp: Date.now() / 1000 };
    },
    reset() {
      counts = new Float64Array(bounds.length + 1);
      exemplars = new Array(bounds.length + 1);
      sum = 0;
      total = 0;
    },
    /** The shape prom-client's registry renders (cumulative buckets, then sum and count). */
    async get() {
      const bucket = `${options.name}_bucket`;
      const values = [];
      let cumulative = 0;
      for (let slot = 0; slot <= bounds.length; slot += 1) {
        cumulative += counts[slot]!;
        const exemplar = exemplars[slot];
        values.push({
          metricName: bucket,
          labels: { le: slot < bounds.length ? bounds[slot]! : '+Inf' },
          value: cumulative,
          ...(exemplar && { exemplar: { labelSet: exemplar.labels, value: exemplar.value, timestamp: exemplar.timestamp } }),
        });
      }
      values.push({ metricName: `${options.name}_sum`, labels: {}, value: sum });
      values.push({ metricName: `${options.name}_count`, labels: {}, value: total });
      return { name: options.name, help: options.help, type: 'histogram', values, aggregator: 'sum' };
    },
  };
  for (const registry of options.registers) registry.registerMetric(metric as never);
  return metric;
}
