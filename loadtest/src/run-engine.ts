import { epochMs } from './clock.ts';
import type { LatencyHistogram } from './metrics/latency-histogram.ts';
import type { LoadMetrics } from './metrics/load-metrics.ts';
import { createPushBook } from './push-book.ts';
import { scheduleFor, type PushSchedule, type ScheduleRun } from './push-schedules.ts';
import { createPushSender } from './push-sender.ts';
import { buildReport } from './report/build-report.ts';
import type { RunReport } from './report/run-report.ts';
import { createRunRecorder, type RunRecorder } from './run-recorder.ts';
import type { LiveSnapshot } from './run-timeline.ts';
import type { LoadPlan } from './scenarios/load-plan.ts';
import type { TokenSource } from './tokens.ts';
import { createWorkerPool, type WorkerPool } from './workers/worker-pool.ts';

export type { LiveSnapshot } from './run-timeline.ts';

export interface RunTarget {
  /** Gateway base URL (http://host:port); only loopback hosts are accepted by the CLI. */
  baseUrl: string;
  apiKey: string;
  tokens: TokenSource;
}

export interface RunHooks {
  /** Live Prometheus metrics of the run, when served (`--metrics-port`). */
  metrics?: LoadMetrics;
  /** Called every `liveIntervalMs` with the figures so far (the live line). */
  progress?(snapshot: LiveSnapshot): void;
  liveIntervalMs?: number;
}

export interface RunResult {
  report: RunReport;
  /** The run's exact latency histograms, for combining stages of a progressive run. */
  latency: LatencyHistogram;
  connectLatency: LatencyHistogram;
}

const TICK_MS = 100;
const TIMELINE_MS = 1000;
const CONNECT_TIMEOUT_MS = 10_000;

const pause = (ms = TICK_MS) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything one run shares between its phases. */
interface Run extends ScheduleRun {
  target: RunTarget;
  options: { workers: number; ack: boolean };
  recorder: RunRecorder;
  pool: WorkerPool;
  schedule: PushSchedule;
  startedAt: Date;
  /** Ramp plus steady phase, in ms. */
  plannedMs: number;
  /** Starts the run's clock (ramp, schedule and timeline count from here). */
  begin(): void;
  /** Resolves once every push call made so far has been answered and booked. */
  sending(): Promise<void>;
}

/**
 * Runs one load plan against a gateway: opens the connections over the ramp, pushes on schedule,
 * drains, then settles every connection's ledger against the pushes the gateway accepted.
 */
export async function runPlan(plan: LoadPlan, target: RunTarget, options: { workers: number; ack: boolean }, hooks: RunHooks = {}): Promise<RunResult> {
  const run = startRun(plan, target, options, hooks);
  try {
    // The run's clock starts once the client processes are up: their start-up (seconds on a busy
    // machine) must not eat into the ramp and steady phase, or a short run sends nothing at all.
    await run.pool.ready();
    run.begin();
    await rampAndPush(run);
    await run.schedule.finish(run);
    // A push the gateway accepted but whose answer is still on its way is owed all the same.
    await run.sending();
    await drain(run);
    const settlement = await run.pool.settle(run.book.expected, run.book.floors);
    run.recorder.settled(settlement);
    const report = buildReport({
      plan,
      target: target.baseUrl,
      startedAt: run.startedAt,
      durationMs: run.elapsed(),
      tally: run.recorder.tally,
      settlement,
      timeline: run.recorder.timeline.points,
      timelineIntervalMs: TIMELINE_MS,
    });
    return { report, latency: settlement.latency, connectLatency: settlement.connectLatency };
  } finally {
    await run.pool.close();
  }
}

function startRun(plan: LoadPlan, target: RunTarget, options: Run['options'], hooks: RunHooks): Run {
  let start = epochMs();
  const elapsed = () => epochMs() - start;
  const inFlight = new Set<Promise<void>>();
  const book = createPushBook(plan);
  const schedule = scheduleFor(plan.pushes.kind, plan.pushes, book);
  const plannedMs = plan.rampMs + schedule.steadyMs;
  const recorder = createRunRecorder({
    plannedMs,
    timelineMs: TIMELINE_MS,
    liveIntervalMs: hooks.liveIntervalMs ?? 5000,
    ...(hooks.progress && { progress: hooks.progress }),
    ...(hooks.metrics && { metrics: hooks.metrics }),
    book,
    elapsed,
    onOpened: (index) => schedule.opened(index, elapsed()),
  });
  const pool = createWorkerPool(options.workers, recorder.events);
  const sender = createPushSender({ baseUrl: target.baseUrl, apiKey: target.apiKey, run: `run-${Date.now().toString(36)}` });
  const sample = () => recorder.timeline.sample(elapsed());
  return {
    plan,
    target,
    options,
    book,
    recorder,
    pool,
    schedule,
    plannedMs,
    startedAt: new Date(),
    begin() {
      start = epochMs();
      this.startedAt = new Date();
    },
    async sending() {
      await Promise.all(inFlight);
    },
    elapsed,
    async send(pushes) {
      if (pushes.length === 0) return;
      recorder.sent(pushes.length);
      const call = sender.send(pushes).then((accepted) => {
        book.accepted(accepted);
        recorder.errors(sender.takeErrors());
      });
      inFlight.add(call);
      try {
        await call;
      } finally {
        inFlight.delete(call);
      }
    },
    quiet: () => pool.quiet(),
    sample,
    async idle() {
      sample();
      await pause();
    },
  };
}

/** Hands the workers every connection due by now on the ramp. */
async function openDue(run: Run): Promise<void> {
  const { plan, recorder } = run;
  const now = run.elapsed();
  const target = plan.rampMs > 0 ? Math.ceil((plan.connections * now) / plan.rampMs) : plan.connections;
  const specs = [];
  while (recorder.tally.attempted < Math.min(target, plan.connections)) {
    const index = recorder.tally.attempted;
    const user = plan.userOf(index);
    const stream = run.book.streamOf(index);
    const token = await run.target.tokens(user, stream.tags);
    specs.push({ index, user, stream: stream.key, url: `${run.target.baseUrl.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}` });
    recorder.attempted();
  }
  const { ping } = run.schedule;
  if (specs.length > 0) run.pool.open(specs, { ack: run.options.ack, connectTimeoutMs: CONNECT_TIMEOUT_MS, ...(ping && { ping }) });
}

/** Ramp and steady phase: open connections on schedule, and push what the schedule has due. */
async function rampAndPush(run: Run): Promise<void> {
  const { plan, recorder, plannedMs: until } = run;
  const unsettled = () => recorder.concluded() < recorder.tally.attempted || recorder.tally.attempted < plan.connections;
  while (run.elapsed() < until || unsettled()) {
    const now = run.elapsed();
    if (now > until + CONNECT_TIMEOUT_MS * 2) break;
    await openDue(run);
    if (now < until) void run.send(run.schedule.due(now));
    recorder.timeline.sample(now);
    await pause();
  }
}

/** Waits for every delivery owed to an open connection, up to the plan's drain time. */
async function drain(run: Run): Promise<void> {
  const until = run.elapsed() + run.plan.drainMs;
  while (run.elapsed() < until && run.recorder.tally.received < run.book.owed) await run.idle();
  await pause(1100); // one more worker tick, so the last deliveries are counted
  run.recorder.timeline.sample(run.elapsed(), true);
}
