import type { LoadMetrics } from './metrics/load-metrics.ts';
import type { PushBook } from './push-book.ts';
import type { RunTally } from './report/build-report.ts';
import { createRunTimeline, type LiveSnapshot, type RunTimeline } from './run-timeline.ts';
import type { PoolEvents, Settlement } from './workers/worker-pool.ts';

export interface RunRecorderOptions {
  /** Ramp plus steady phase, in ms: the live line's 100%. */
  plannedMs: number;
  /** Width of a timeline point, in ms. */
  timelineMs: number;
  /** Period of the live line, in ms. */
  liveIntervalMs: number;
  progress?: (snapshot: LiveSnapshot) => void;
  /** Live Prometheus metrics of the run, when served. */
  metrics?: LoadMetrics;
  /** The run's accounting, told when connections open and are lost. */
  book: PushBook;
  /** Ms since the run began. */
  elapsed(): number;
  /** A connection is up (its push schedule starts). */
  onOpened(index: number): void;
}

/** What happens during a run, recorded once into its tally, its metrics and its timeline. */
export interface RunRecorder {
  /** The worker pool's events. */
  readonly events: PoolEvents;
  /** One more connection handed to the workers. */
  attempted(): void;
  /** Pushes handed to the push API. */
  sent(count: number): void;
  /** Errors by kind (the push API's, or the workers'). */
  errors(counts: Record<string, number>): void;
  /** The workers' final accounts are in. */
  settled(settlement: Settlement): void;
  /** Open connections across the workers, from their latest ticks. */
  openConnections(): number;
  /** Connections whose opening has ended, opened or failed. */
  concluded(): number;
  readonly tally: Readonly<RunTally>;
  readonly timeline: RunTimeline;
}

const add = (counts: Record<string | number, number>, key: string | number, n = 1) => (counts[key] = (counts[key] ?? 0) + n);

export function createRunRecorder(options: RunRecorderOptions): RunRecorder {
  const { metrics, book, elapsed } = options;
  const tally: RunTally = { attempted: 0, opened: 0, failedByReason: {}, lost: {}, sent: 0, received: 0, acks: 0, errors: {} };
  const openPerWorker = new Map<number, number>();
  let concluded = 0;
  const openConnections = () => [...openPerWorker.values()].reduce((sum, n) => sum + n, 0);
  const errors = (counts: Record<string, number>) => {
    for (const [kind, n] of Object.entries(counts)) add(tally.errors, kind, n);
  };
  const timeline = createRunTimeline({
    plannedMs: options.plannedMs,
    intervalMs: options.timelineMs,
    liveIntervalMs: options.liveIntervalMs,
    ...(options.progress && { progress: options.progress }),
    read: () => ({
      open: openConnections(),
      attempted: tally.attempted,
      failed: Object.values(tally.failedByReason).reduce((a, b) => a + b, 0),
      sent: tally.sent,
      received: tally.received,
    }),
  });

  const events: PoolEvents = {
    opened(index) {
      tally.opened += 1;
      concluded += 1;
      metrics?.connectionOpened();
      book.connectionOpened(index);
      options.onOpened(index);
    },
    failed(_index, reason) {
      concluded += 1;
      if (reason === 'timeout' && tally.firstTimeout === undefined) tally.firstTimeout = { atMs: elapsed(), open: openConnections() };
      metrics?.connectionFailed(reason);
      add(tally.failedByReason, reason);
    },
    lost(index, code) {
      metrics?.connectionLost();
      book.connectionLost(index);
      add(tally.lost, code);
    },
    tick(worker, tick) {
      openPerWorker.set(worker, tick.open);
      tally.received += tick.received;
      tally.acks += tick.acks;
      metrics?.received(tick.latency);
      timeline.received(tick.received, tick.latency);
      errors(tick.errors);
    },
  };

  return {
    events,
    attempted: () => void (tally.attempted += 1),
    sent(count) {
      tally.sent += count;
      metrics?.sent(count);
      timeline.sent(count);
    },
    errors,
    settled: (settlement) => metrics?.lost(settlement.outcome.lost),
    openConnections,
    concluded: () => concluded,
    tally,
    timeline,
  };
}
