import { epochMs } from './clock.ts';
import type { LatencyHistogram } from './metrics/latency-histogram.ts';
import type { LoadMetrics } from './metrics/load-metrics.ts';
import { createPushBook, type PushBook } from './push-book.ts';
import { createPushSender, type PlannedPush } from './push-sender.ts';
import { buildReport, type RunTally } from './report/build-report.ts';
import type { RunReport } from './report/run-report.ts';
import { createRunTimeline, type LiveSnapshot, type RunTimeline } from './run-timeline.ts';
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
const add = (counts: Record<string | number, number>, key: string | number, n = 1) => (counts[key] = (counts[key] ?? 0) + n);

/** Everything one run shares between its phases. */
interface Run {
  plan: LoadPlan;
  target: RunTarget;
  options: { workers: number; ack: boolean };
  tally: RunTally;
  book: PushBook;
  timeline: RunTimeline;
  pool: WorkerPool;
  hooks: RunHooks;
  /** Connection index → when it next "sends" (interval and chat plans). */
  due: Map<number, number>;
  settled: number;
  elapsed(): number;
  send(pushes: PlannedPush[]): Promise<void>;
}

/**
 * Runs one load plan against a gateway: opens the connections over the ramp, pushes on schedule,
 * drains, then settles every connection's ledger against the pushes the gateway accepted.
 */
export async function runPlan(plan: LoadPlan, target: RunTarget, options: { workers: number; ack: boolean }, hooks: RunHooks = {}): Promise<RunResult> {
  const run = startRun(plan, target, options, hooks);
  try {
    await rampAndPush(run);
    if (plan.pushes.kind === 'fanout') await fanoutRounds(run, plan.pushes.messages);
    if (plan.pushes.kind === 'ping') await quietPings(run);
    await drain(run);
    const settlement = await run.pool.settle(run.book.expected, run.book.floors);
    hooks.metrics?.lost(settlement.outcome.lost);
    const report = buildReport({
      plan,
      target: target.baseUrl,
      startedAt: run.startedAt,
      durationMs: run.elapsed(),
      tally: run.tally,
      settlement,
      timeline: run.timeline.points,
      timelineIntervalMs: TIMELINE_MS,
    });
    return { report, latency: settlement.latency, connectLatency: settlement.connectLatency };
  } finally {
    await run.pool.close();
  }
}

function plannedMs(plan: LoadPlan): number {
  return plan.rampMs + (plan.pushes.kind === 'fanout' ? 0 : plan.pushes.steadyMs);
}

function startRun(plan: LoadPlan, target: RunTarget, options: Run['options'], hooks: RunHooks): Run & { startedAt: Date } {
  const start = epochMs();
  const elapsed = () => epochMs() - start;
  const tally: RunTally = { attempted: 0, opened: 0, failedByReason: {}, lost: {}, sent: 0, received: 0, acks: 0, errors: {} };
  const book = createPushBook(plan);
  const sender = createPushSender({ baseUrl: target.baseUrl, apiKey: target.apiKey, run: `run-${Date.now().toString(36)}` });
  const run = { plan, target, options, tally, book, hooks, due: new Map<number, number>(), settled: 0, elapsed, startedAt: new Date() } as Run & { startedAt: Date };

  run.pool = createWorkerPool(options.workers, {
    opened(index) {
      tally.opened += 1;
      run.settled += 1;
      hooks.metrics?.connectionOpened();
      book.connectionOpened(index);
      if (plan.pushes.kind === 'interval' || plan.pushes.kind === 'chat') {
        // First push at a random point of the first interval, so pushes spread evenly over time.
        const from = Math.max(elapsed(), plan.pushes.kind === 'chat' ? plan.pushes.startsAt(index) : 0);
        run.due.set(index, from + Math.random() * plan.pushes.intervalMs);
      }
    },
    failed(_index, reason) {
      run.settled += 1;
      if (reason === 'timeout' && tally.firstTimeout === undefined) tally.firstTimeout = { atMs: elapsed(), open: run.pool.openConnections() };
      hooks.metrics?.connectionFailed(reason);
      add(tally.failedByReason, reason);
    },
    lost(index, code) {
      hooks.metrics?.connectionLost();
      book.connectionLost(index);
      add(tally.lost, code);
    },
    tick(received, acks, latency, errors) {
      tally.received += received;
      tally.acks += acks;
      hooks.metrics?.received(latency);
      run.timeline.received(received, latency);
      for (const [kind, n] of Object.entries(errors)) add(tally.errors, kind, n);
    },
  });

  run.timeline = createRunTimeline({
    plannedMs: plannedMs(plan),
    intervalMs: TIMELINE_MS,
    liveIntervalMs: hooks.liveIntervalMs ?? 5000,
    ...(hooks.progress && { progress: hooks.progress }),
    read: () => ({
      open: run.pool.openConnections(),
      attempted: tally.attempted,
      failed: Object.values(tally.failedByReason).reduce((a, b) => a + b, 0),
      sent: tally.sent,
      received: tally.received,
    }),
  });

  run.send = async (pushes) => {
    if (pushes.length === 0) return;
    tally.sent += pushes.length;
    hooks.metrics?.sent(pushes.length);
    run.timeline.sent(pushes.length);
    book.accepted(await sender.send(pushes));
    for (const [kind, n] of Object.entries(sender.errors)) {
      add(tally.errors, kind, n);
      delete sender.errors[kind];
    }
  };
  return run;
}

/** Hands the workers every connection due by now on the ramp. */
async function openDue(run: Run): Promise<void> {
  const { plan, tally } = run;
  const now = run.elapsed();
  const target = plan.rampMs > 0 ? Math.ceil((plan.connections * now) / plan.rampMs) : plan.connections;
  const specs = [];
  for (; tally.attempted < Math.min(target, plan.connections); tally.attempted += 1) {
    const index = tally.attempted;
    const user = plan.userOf(index);
    const stream = run.book.streamOf(index);
    const token = await run.target.tokens(user, stream.tags);
    specs.push({ index, user, stream: stream.key, url: `${run.target.baseUrl.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}` });
  }
  const ping = plan.pushes.kind === 'ping' ? plan.pushes.ping : undefined;
  if (specs.length > 0) run.pool.open(specs, { ack: run.options.ack, connectTimeoutMs: CONNECT_TIMEOUT_MS, ...(ping && { ping }) });
}

/** The pushes of interval and chat plans that are due now. */
function duePushes(run: Run, now: number, intervalMs: number): PlannedPush[] {
  const batch: PlannedPush[] = [];
  for (const [index, at] of run.due) {
    if (at > now) continue;
    batch.push(run.book.next(run.book.streamOf(index)));
    run.due.set(index, at + intervalMs);
  }
  return batch;
}

/** Ramp and steady phase: open connections on schedule and, for interval and chat plans, push. */
async function rampAndPush(run: Run): Promise<void> {
  const { plan, tally } = run;
  const until = plannedMs(plan);
  const unsettled = () => run.settled < tally.attempted || tally.attempted < plan.connections;
  while (run.elapsed() < until || unsettled()) {
    const now = run.elapsed();
    if (now > until + CONNECT_TIMEOUT_MS * 2) break;
    await openDue(run);
    if ((plan.pushes.kind === 'interval' || plan.pushes.kind === 'chat') && now < until) {
      void run.send(duePushes(run, now, plan.pushes.intervalMs));
    }
    run.timeline.sample(now);
    await pause();
  }
}

/** Fanout: once every connection is up, each round pushes once to every stream. */
async function fanoutRounds(run: Run, messages: number): Promise<void> {
  const streams = new Map(Array.from({ length: run.plan.connections }, (_, i) => run.book.streamOf(i)).map((s) => [s.key, s]));
  for (let round = 0; round < messages; round += 1) {
    await run.send([...streams.values()].map((stream) => run.book.next(stream)));
    run.timeline.sample(run.elapsed());
  }
}

/** Ping: stop the pings, then give the last ones their time to be answered. */
async function quietPings(run: Run): Promise<void> {
  run.pool.quiet();
  const until = run.elapsed() + run.plan.drainMs;
  while (run.elapsed() < until) {
    run.timeline.sample(run.elapsed());
    await pause();
  }
}

/** Waits for every delivery owed to an open connection, up to the plan's drain time. */
async function drain(run: Run): Promise<void> {
  const until = run.elapsed() + run.plan.drainMs;
  while (run.elapsed() < until && run.tally.received < run.book.owed) {
    run.timeline.sample(run.elapsed());
    await pause();
  }
  await pause(1100); // one more worker tick, so the last deliveries are counted
  run.timeline.sample(run.elapsed(), true);
}
