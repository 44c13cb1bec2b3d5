import { epochMs } from './clock.ts';
import { createLatencyHistogram, type LatencyHistogram } from './metrics/latency-histogram.ts';
import { createPushSender, type PlannedPush } from './push-sender.ts';
import type { RunReport, TimelinePoint } from './report/run-report.ts';
import { buildReport, type RunTally } from './report/build-report.ts';
import { userStream, type LoadPlan, type Stream } from './scenarios/load-plan.ts';
import type { LoadMetrics } from './metrics/load-metrics.ts';
import type { TokenSource } from './tokens.ts';
import { createWorkerPool } from './workers/worker-pool.ts';

export interface RunTarget {
  /** Gateway base URL (http://host:port); only loopback hosts are accepted by the CLI. */
  baseUrl: string;
  apiKey: string;
  tokens: TokenSource;
}

export interface RunHooks {
  /** Live Prometheus metrics of the run, when served (`--metrics-port`). */
  metrics?: LoadMetrics;
  /** Called every `liveIntervalMs` with the figures so far (the live line, /metrics). */
  progress?(snapshot: LiveSnapshot): void;
  liveIntervalMs?: number;
}

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

const TICK_MS = 100;
const TIMELINE_MS = 1000;
const CONNECT_TIMEOUT_MS = 10_000;

export interface RunResult {
  report: RunReport;
  /** The run's exact latency histograms, for combining stages of a progressive run. */
  latency: LatencyHistogram;
  connectLatency: LatencyHistogram;
}

/**
 * Runs one load plan against a gateway: opens the connections over the ramp, pushes on schedule,
 * drains, then settles every connection's ledger against the pushes the gateway accepted.
 */
export async function runPlan(plan: LoadPlan, target: RunTarget, options: { workers: number; ack: boolean }, hooks: RunHooks = {}): Promise<RunResult> {
  const run = `run-${Date.now().toString(36)}`;
  const startedAt = new Date();
  const start = epochMs();
  const elapsed = () => epochMs() - start;
  const tally: RunTally = { attempted: 0, opened: 0, failedByReason: {}, lost: {}, sent: 0, received: 0, acks: 0, errors: {} };
  const total = createLatencyHistogram();
  const window = createLatencyHistogram();
  const timeline: TimelinePoint[] = [];
  const sender = createPushSender({ baseUrl: target.baseUrl, apiKey: target.apiKey, run });
  const expected: Record<string, number[]> = {};
  const nextSeq = new Map<string, number>();
  /** Connection index → when it next "sends" (interval and chat plans). */
  const due = new Map<number, number>();
  /** Connection index → its stream's last sequence number when it was known to be open. */
  const floors: Record<number, number> = {};
  const streamOf = (index: number) => plan.streamOf?.(index) ?? userStream(plan.userOf(index));
  /** Open connections per stream, and the deliveries owed so far: what the drain waits for. */
  const openOnStream = new Map<string, number>();
  let owed = 0;
  const adjustStream = (index: number, by: number) => {
    const key = streamOf(index).key;
    openOnStream.set(key, (openOnStream.get(key) ?? 0) + by);
  };
  let windowSent = 0;
  let windowReceived = 0;
  let settledConnections = 0;

  const pool = createWorkerPool(options.workers, {
    opened(index) {
      tally.opened += 1;
      hooks.metrics?.connectionOpened();
      settledConnections += 1;
      floors[index] = nextSeq.get(streamOf(index).key) ?? 0;
      adjustStream(index, 1);
      if (plan.pushes.kind === 'interval' || plan.pushes.kind === 'chat') {
        // First push at a random point of the first interval, so pushes spread evenly over time.
        const from = Math.max(elapsed(), plan.pushes.kind === 'chat' ? plan.pushes.startsAt(index) : 0);
        due.set(index, from + Math.random() * plan.pushes.intervalMs);
      }
    },

    failed(_index, reason) {
      settledConnections += 1;
      if (reason === 'timeout' && tally.firstTimeout === undefined) tally.firstTimeout = { atMs: elapsed(), open: pool.openConnections() };
      hooks.metrics?.connectionFailed(reason);
      tally.failedByReason[reason] = (tally.failedByReason[reason] ?? 0) + 1;
    },
    lost(index, code) {
      hooks.metrics?.connectionLost();
      adjustStream(index, -1);
      tally.lost[code] = (tally.lost[code] ?? 0) + 1;
    },
    tick(received, acks, latency, errors) {
      tally.received += received;
      tally.acks += acks;
      windowReceived += received;
      hooks.metrics?.received(latency);
      total.add(latency);
      window.add(latency);
      for (const [kind, n] of Object.entries(errors)) tally.errors[kind] = (tally.errors[kind] ?? 0) + n;
    },
  });

  const send = async (pushes: PlannedPush[]) => {
    if (pushes.length === 0) return;
    tally.sent += pushes.length;
    hooks.metrics?.sent(pushes.length);
    windowSent += pushes.length;
    const accepted = await sender.send(pushes);
    for (const push of accepted) {
      (expected[push.stream] ??= []).push(push.seq);
      owed += openOnStream.get(push.stream) ?? 0;
    }
  };
  const planPush = (stream: Stream): PlannedPush => {
    const seq = (nextSeq.get(stream.key) ?? 0) + 1;
    nextSeq.set(stream.key, seq);
    return { stream: stream.key, seq, to: stream.to };
  };

  const openUpTo = async (count: number) => {
    const specs = [];
    for (; tally.attempted < Math.min(count, plan.connections); tally.attempted += 1) {
      const index = tally.attempted;
      const user = plan.userOf(index);
      const stream = streamOf(index);
      const url = `${target.baseUrl.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(await target.tokens(user, stream.tags))}`;
      specs.push({ index, user, stream: stream.key, url });
    }
    const ping = plan.pushes.kind === 'ping' ? plan.pushes.ping : undefined;
    if (specs.length > 0) pool.open(specs, { ack: options.ack, connectTimeoutMs: CONNECT_TIMEOUT_MS, ...(ping && { ping }) });
  };

  const plannedMs = plan.rampMs + (plan.pushes.kind === 'fanout' ? 0 : plan.pushes.steadyMs);
  let lastTimeline = 0;
  let lastLive = 0;
  /** Closes the current timeline interval when it is due (or when `final`), and reports progress. */
  const sample = (now: number, final = false) => {
    if (now - lastTimeline >= TIMELINE_MS || (final && now > lastTimeline)) {
      const seconds = (now - lastTimeline) / 1000;
      const p = window.percentiles();
      timeline.push({
        t: Math.round(now / 100) / 10,
        connections: pool.openConnections(),
        sentPerSec: windowSent / seconds,
        receivedPerSec: windowReceived / seconds,
        ...(p.count > 0 && { p50Ms: p.p50, p99Ms: p.p99 }),
      });
      lastTimeline = now;
      windowSent = 0;
      windowReceived = 0;
      window.reset();
    }
    const liveEvery = hooks.liveIntervalMs ?? 5000;
    if (hooks.progress && now - lastLive >= liveEvery) {
      lastLive = now;
      const last = timeline.at(-1);
      hooks.progress({
        elapsedMs: now,
        fraction: plannedMs > 0 ? Math.min(1, now / plannedMs) : 1,
        open: pool.openConnections(),
        attempted: tally.attempted,
        failed: Object.values(tally.failedByReason).reduce((a, b) => a + b, 0),
        sent: tally.sent,
        received: tally.received,
        sentPerSec: last?.sentPerSec ?? 0,
        receivedPerSec: last?.receivedPerSec ?? 0,
        p99Ms: total.percentiles().p99,
      });
    }
  };
  const pause = () => new Promise((resolve) => setTimeout(resolve, TICK_MS));

  try {
    // Ramp (and, for interval plans, steady pushing alongside it).
    const pushUntil = plannedMs;
    while (elapsed() < plannedMs || settledConnections < Math.min(tally.attempted, plan.connections) || tally.attempted < plan.connections) {
      const now = elapsed();
      if (now > plannedMs + CONNECT_TIMEOUT_MS * 2) break;
      await openUpTo(plan.rampMs > 0 ? Math.ceil((plan.connections * now) / plan.rampMs) : plan.connections);
      if ((plan.pushes.kind === 'interval' || plan.pushes.kind === 'chat') && now < pushUntil) {
        const batch: PlannedPush[] = [];
        for (const [index, at] of due) {
          if (at > now) continue;
          batch.push(planPush(streamOf(index)));
          due.set(index, at + plan.pushes.intervalMs);
        }
        void send(batch);
      }
      sample(now);
      await pause();
    }

    if (plan.pushes.kind === 'fanout') {
      const streams = new Map(Array.from({ length: plan.connections }, (_, i) => streamOf(i)).map((stream) => [stream.key, stream]));
      for (let round = 0; round < plan.pushes.messages; round += 1) {
        await send([...streams.values()].map(planPush));
        sample(elapsed());
      }
    }

    if (plan.pushes.kind === 'ping') {
      // Stop the pings, then give the last ones their time to be answered.
      pool.quiet();
      const quietUntil = elapsed() + plan.drainMs;
      while (elapsed() < quietUntil) {
        sample(elapsed());
        await pause();
      }
    }

    // Drain: wait for what is still in flight, up to drainMs.
    const drainUntil = elapsed() + plan.drainMs;
    while (elapsed() < drainUntil && tally.received < owed) {
      sample(elapsed());
      await pause();
    }
    await new Promise((resolve) => setTimeout(resolve, 1100)); // one more worker tick
    sample(elapsed(), true);

    const settlement = await pool.settle(expected, floors);
    hooks.metrics?.lost(settlement.outcome.lost);
    for (const [kind, n] of Object.entries(sender.errors)) tally.errors[kind] = (tally.errors[kind] ?? 0) + n;
    const report = buildReport({ plan, target: target.baseUrl, startedAt, durationMs: elapsed(), tally, settlement, timeline, timelineIntervalMs: TIMELINE_MS });
    return { report, latency: settlement.latency, connectLatency: settlement.connectLatency };
  } finally {
    await pool.close();
  }
}
