import { createLatencyHistogram, type LatencyHistogram } from './metrics/latency-histogram.ts';
import type { TimelinePoint } from './report/run-report.ts';

/** What the live line shows. */
export interface LiveSnapshot {
  elapsedMs: number;
  /** 0..1 of the planned time. */
  fraction: number;
  open: number;
  attempted: number;
  failed: number;
  sent: number;
  received: number;
  sentPerSec: number;
  receivedPerSec: number;
  p99Ms: number;
}

export interface RunTimeline {
  sent(count: number): void;
  received(count: number, latency: LatencyHistogram): void;
  /** Closes the current interval when it is due (or when `final`), and reports progress. */
  sample(now: number, final?: boolean): void;
  readonly points: TimelinePoint[];
  readonly intervalMs: number;
}

export interface RunTimelineOptions {
  plannedMs: number;
  intervalMs: number;
  liveIntervalMs: number;
  progress?: (snapshot: LiveSnapshot) => void;
  /** Figures the timeline reads from the run when it samples. */
  read(): { open: number; attempted: number; failed: number; sent: number; received: number };
}

/** The run's figures over time: a point per interval, and the live line every few seconds. */
export function createRunTimeline(options: RunTimelineOptions): RunTimeline {
  const points: TimelinePoint[] = [];
  const overall = createLatencyHistogram();
  const window = createLatencyHistogram();
  let windowSent = 0;
  let windowReceived = 0;
  let lastPoint = 0;
  let lastLive = 0;

  const closeInterval = (now: number) => {
    const seconds = (now - lastPoint) / 1000;
    const p = window.percentiles();
    points.push({
      t: Math.round(now / 100) / 10,
      connections: options.read().open,
      sentPerSec: windowSent / seconds,
      receivedPerSec: windowReceived / seconds,
      ...(p.count > 0 && { p50Ms: p.p50, p99Ms: p.p99 }),
    });
    lastPoint = now;
    windowSent = 0;
    windowReceived = 0;
    window.reset();
  };

  const reportLive = (now: number) => {
    lastLive = now;
    const figures = options.read();
    const last = points.at(-1);
    options.progress?.({
      ...figures,
      elapsedMs: now,
      fraction: options.plannedMs > 0 ? Math.min(1, now / options.plannedMs) : 1,
      sentPerSec: last?.sentPerSec ?? 0,
      receivedPerSec: last?.receivedPerSec ?? 0,
      p99Ms: overall.percentiles().p99,
    });
  };

  return {
    sent(count) {
      windowSent += count;
    },
    received(count, latency) {
      windowReceived += count;
      overall.add(latency);
      window.add(latency);
    },
    sample(now, final = false) {
      if (now - lastPoint >= options.intervalMs || (final && now > lastPoint)) closeInterval(now);
      if (options.progress && now - lastLive >= options.liveIntervalMs) reportLive(now);
    },
    points,
    intervalMs: options.intervalMs,
  };
}
