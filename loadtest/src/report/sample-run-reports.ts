/**
 * Made-up but plausible run reports, for the report's tests and for previewing the HTML report
 * without a gateway. Deterministic: the same call always gives the same report.
 */

import type { HistogramBucket, Percentiles, RunReport, TimelinePoint } from './run-report.ts';
import { createSeededRandom } from '../seeded-random.ts';

export interface SampleOptions {
  seed?: number;
  scenario?: string;
  /** Connections held at the plateau; default 5,000. */
  connections?: number;
  /** Connections already open when the run starts (a later phase); default 0. */
  fromConnections?: number;
  /** Run length in seconds; default 120. */
  durationS?: number;
  /** Seconds since the (overall) run started at which this run begins; default 0. */
  startS?: number;
  /** Typical delivery latency in ms; p99 is about five times this. Default 3. */
  p50Ms?: number;
  /** Deliveries lost; default 0. */
  lost?: number;
}

/** Bucket edges doubling from 0.1 ms, as the load tester's histogram reports them. */
const HISTOGRAM_EDGES_MS = Array.from({ length: 16 }, (_, i) => Number((0.1 * 2 ** i).toPrecision(6)));

const percentiles = (p50: number, count: number): Percentiles => ({
  p50,
  p90: p50 * 2.2,
  p99: p50 * 5.1,
  p999: p50 * 11,
  max: p50 * 38,
  mean: p50 * 1.4,
  count,
});

/** A log-normal-ish spread of `total` samples around `p50Ms`. */
const histogram = (p50Ms: number, total: number): HistogramBucket[] => {
  let previous = 0;
  return HISTOGRAM_EDGES_MS.map((upperMs) => {
    // Share of samples at or below `edge` for a log-normal with median p50 (logistic approximation).
    const cdf = (edge: number): number => 1 / (1 + (edge / p50Ms) ** -2.2);
    const below = Math.round(total * cdf(upperMs));
    const count = Math.max(0, below - previous);
    previous = below;
    return { upperMs, count };
  });
};

const timeline = (o: Required<SampleOptions>, random: () => number): TimelinePoint[] => {
  const rampS = Math.max(1, Math.round(o.durationS / 6));
  const points: TimelinePoint[] = [];
  for (let s = 1; s <= o.durationS; s++) {
    const ramp = Math.min(1, s / rampS);
    const connections = Math.round(o.fromConnections + (o.connections - o.fromConnections) * ramp);
    // A fresh run pushes only once some clients are in; a later phase keeps pushing while it grows.
    const sentPerSec = o.fromConnections === 0 && s < rampS / 2 ? 0 : Math.round(180 + random() * 40);
    // A garbage-collection-like stall two thirds into the run, so the charts have something to show.
    const stall = Math.abs(s - Math.round(o.durationS * 0.66)) <= 2 ? 8 : 1;
    const delivered = sentPerSec > 0;
    points.push({
      t: o.startS + s,
      connections,
      sentPerSec,
      receivedPerSec: Math.round(sentPerSec * (connections / 200) * (0.97 + random() * 0.03)),
      p50Ms: delivered ? o.p50Ms * (0.85 + random() * 0.3) * Math.sqrt(stall) : undefined,
      p99Ms: delivered ? o.p50Ms * (4.2 + random() * 1.8) * stall : undefined,
    });
  }
  return points;
};

const DEFAULTS: Required<SampleOptions> = {
  seed: 7,
  scenario: 'fanout-broadcast',
  connections: 5000,
  fromConnections: 0,
  durationS: 120,
  startS: 0,
  p50Ms: 3,
  lost: 0,
};

const thresholds = (o: Required<SampleOptions>): RunReport['thresholds'] => [
  { expression: 'p99<50ms', passed: o.p50Ms * 5.1 < 50, actual: o.p50Ms * 5.1 },
  { expression: 'loss=0', passed: o.lost === 0, actual: o.lost },
  { expression: 'connect_p99<500ms', passed: true, actual: 91.8 },
];

/** A single (non-progressive) run, broadcast fan-out over `connections` clients. */
export const sampleRunReport = (options: SampleOptions = {}): RunReport => {
  const o: Required<SampleOptions> = { ...DEFAULTS, ...options };
  const random = createSeededRandom(o.seed);
  const points = timeline(o, random);
  const pushesSent = points.reduce((sum, p) => sum + p.sentPerSec, 0);
  const deliveriesExpected = points.reduce((sum, p) => sum + Math.round((p.sentPerSec * p.connections) / 200), 0);
  const failed = Math.round(o.connections * 0.002);
  return {
    tool: 'wsgw-load',
    version: 1,
    scenario: o.scenario,
    target: 'http://127.0.0.1:8080',
    startedAt: new Date(Date.UTC(2025, 2, 14, 9, 30, o.startS)).toISOString(),
    durationMs: o.durationS * 1000,
    parameters: { connections: o.connections, users: o.connections / 200, pushRate: 200, ack: true, bus: 'nats' },
    connections: {
      attempted: o.connections + failed,
      succeeded: o.connections,
      failed,
      failedByReason: failed > 0 ? { 'http 503': failed - 1, timeout: 1 } : {},
      connectMs: percentiles(18, o.connections),
    },
    messages: {
      pushesSent,
      pushErrors: 2,
      deliveriesExpected,
      deliveriesReceived: deliveriesExpected - o.lost,
      lost: o.lost,
      duplicates: 0,
      outOfOrder: o.lost > 0 ? 3 : 0,
      acksSent: deliveriesExpected - o.lost,
    },
    latencyMs: percentiles(o.p50Ms, deliveriesExpected - o.lost),
    latencyHistogram: histogram(o.p50Ms, deliveriesExpected - o.lost),
    timeline: points,
    timelineIntervalMs: 1000,
    errors: [
      { kind: 'push', message: 'HTTP 503 <html><body>Service Unavailable</body></html>', count: 2 },
      { kind: 'connect', message: 'timeout after 5000 ms waiting for welcome', count: 1 },
    ],
    thresholds: thresholds(o),
  };
};

/** Pause between phases, so the combined timeline has gaps like a real progressive run. */
const COOLDOWN_S = 10;

/** A progressive run: each phase doubles the connections; the top level sums the phases. */
export const sampleProgressiveReport = (phaseCount = 3): RunReport => {
  const phases = Array.from({ length: phaseCount }, (_, i) =>
    sampleRunReport({
      seed: 11 + i,
      scenario: 'fanout-step',
      connections: 1000 * 2 ** i,
      fromConnections: i === 0 ? 0 : 1000 * 2 ** (i - 1),
      durationS: 60,
      startS: (60 + COOLDOWN_S) * i,
      p50Ms: 2 * 1.8 ** i,
      lost: i === phaseCount - 1 ? 42 : 0,
    }),
  );
  const last = phases.at(-1) ?? sampleRunReport();
  const sum = (pick: (r: RunReport) => number): number => phases.reduce((total, r) => total + pick(r), 0);
  return {
    ...last,
    scenario: 'fanout-step (progressive)',
    startedAt: phases[0]?.startedAt ?? last.startedAt,
    durationMs: sum((r) => r.durationMs) + COOLDOWN_S * 1000 * (phaseCount - 1),
    messages: {
      pushesSent: sum((r) => r.messages.pushesSent),
      pushErrors: sum((r) => r.messages.pushErrors),
      deliveriesExpected: sum((r) => r.messages.deliveriesExpected),
      deliveriesReceived: sum((r) => r.messages.deliveriesReceived),
      lost: sum((r) => r.messages.lost),
      duplicates: sum((r) => r.messages.duplicates),
      outOfOrder: sum((r) => r.messages.outOfOrder),
      acksSent: sum((r) => r.messages.acksSent),
    },
    latencyHistogram: HISTOGRAM_EDGES_MS.map((upperMs, i) => ({
      upperMs,
      count: sum((r) => r.latencyHistogram[i]?.count ?? 0),
    })),
    timeline: phases.flatMap((r) => r.timeline),
    thresholds: phases.flatMap((r) => r.thresholds.filter((t) => t.expression !== 'connect_p99<500ms')).slice(-2),
    phases,
  };
};

const noSamples: Percentiles = { p50: NaN, p90: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN, count: 0 };

/** A run that never got going: nothing connected, nothing measured, percentiles of nothing. */
export const emptyRunReport = (): RunReport => ({
  tool: 'wsgw-load',
  version: 1,
  scenario: 'empty',
  target: 'http://127.0.0.1:8080',
  startedAt: 'not a date',
  durationMs: 0,
  parameters: {},
  connections: { attempted: 0, succeeded: 0, failed: 0, failedByReason: {}, connectMs: noSamples },
  messages: {
    pushesSent: 0,
    pushErrors: 0,
    deliveriesExpected: 0,
    deliveriesReceived: 0,
    lost: 0,
    duplicates: 0,
    outOfOrder: 0,
    acksSent: 0,
  },
  latencyMs: noSamples,
  latencyHistogram: [],
  timeline: [],
  timelineIntervalMs: 1000,
  errors: [],
  thresholds: [],
});
