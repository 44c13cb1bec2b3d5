import * as hdr from 'hdr-histogram-js';
import type { HistogramBucket, Percentiles } from '../report/run-report.ts';

/**
 * Latency recorded in microseconds in an HDR histogram (3 significant digits, up to an hour), so
 * percentiles stay exact to 0.1 % and histograms from several worker processes merge exactly.
 */
export interface LatencyHistogram {
  recordMs(ms: number): void;
  add(other: LatencyHistogram): void;
  percentiles(): Percentiles;
  buckets(): HistogramBucket[];
  /** Compressed form for sending between processes. */
  encode(): string;
  reset(): void;
  readonly count: number;
}

const HIGHEST_US = 3_600_000_000;

function build(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

function wrap(histogram: hdr.Histogram): LatencyHistogram & { readonly raw: hdr.Histogram } {
  const ms = (us: number) => us / 1000;
  return {
    raw: histogram,
    recordMs(value) {
      histogram.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(value * 1000))));
    },
    add(other) {
      histogram.add((other as unknown as { raw: hdr.Histogram }).raw);
    },
    percentiles() {
      const count = histogram.totalCount;
      if (count === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 };
      return {
        p50: ms(histogram.getValueAtPercentile(50)),
        p90: ms(histogram.getValueAtPercentile(90)),
        p99: ms(histogram.getValueAtPercentile(99)),
        p999: ms(histogram.getValueAtPercentile(99.9)),
        max: ms(histogram.maxValue),
        mean: ms(histogram.mean),
        count,
      };
    },
    buckets() {
      // Log-spaced buckets doubling from 0.1 ms: readable on a plot whatever the spread of the run.
      const out: HistogramBucket[] = [];
      if (histogram.totalCount === 0) return out;
      const counts = histogram as unknown as CountsAccess;
      const last = counts.countsArrayIndex(histogram.maxValue);
      let upperUs = 100;
      let inBucket = 0;
      for (let index = 0; index <= last; index += 1) {
        const count = counts.getCountAtIndex(index);
        if (count === 0) continue;
        const valueUs = counts.valueFromIndex(index);
        while (valueUs > upperUs) {
          out.push({ upperMs: ms(upperUs), count: inBucket });
          inBucket = 0;
          upperUs *= 2;
        }
        inBucket += count;
      }
      out.push({ upperMs: ms(upperUs), count: inBucket });
      return out;
    },
    encode: () => hdr.encodeIntoCompressedBase64(histogram),
    reset: () => histogram.reset(),
    get count() {
      return histogram.totalCount;
    },
  };
}

/** The index-level access JS histograms have (hdr-histogram-js types expose it on JsHistogram only). */
interface CountsAccess {
  countsArrayIndex(value: number): number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
}

export function createLatencyHistogram(): LatencyHistogram {
  return wrap(build());
}

export function decodeLatencyHistogram(encoded: string): LatencyHistogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  const histogram = build();
  histogram.add(decoded);
  return wrap(histogram);
}
