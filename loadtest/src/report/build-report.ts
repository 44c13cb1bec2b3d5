import type { LoadPlan } from '../scenarios/load-plan.ts';
import type { Settlement } from '../workers/worker-pool.ts';
import type { RunReport, TimelinePoint } from './run-report.ts';

/** Running counts the engine keeps while a run goes. */
export interface RunTally {
  attempted: number;
  opened: number;
  failedByReason: Record<string, number>;
  /** Connections the gateway closed during the run, by close code. */
  lost: Record<number, number>;
  sent: number;
  received: number;
  acks: number;
  errors: Record<string, number>;
  /** When the first handshake timed out (ms since start) and how many connections were open then. */
  firstTimeout?: { atMs: number; open: number };
}

export interface ReportInput {
  plan: LoadPlan;
  target: string;
  startedAt: Date;
  durationMs: number;
  tally: RunTally;
  settlement: Settlement;
  timeline: TimelinePoint[];
  timelineIntervalMs: number;
}

/** Assembles the run's report from the engine's tally and the workers' exact settlement. */
export function buildReport(input: ReportInput): RunReport {
  const { plan, tally, settlement } = input;
  const failed = Object.values(tally.failedByReason).reduce((a, b) => a + b, 0);
  // In the ping scenario the deliveries owed are the answers: a pong per ping, an error per hello.
  const outcome =
    plan.pushes.kind === 'ping'
      ? {
          ...settlement.outcome,
          expected: settlement.ping.pings + settlement.ping.hellos,
          received: settlement.ping.pongs + settlement.ping.helloAnswers,
          lost: settlement.ping.pings + settlement.ping.hellos - settlement.ping.pongs - settlement.ping.helloAnswers,
        }
      : settlement.outcome;
  const errors = Object.entries(tally.errors).map(([message, count]) => ({ kind: message.split(':')[0] ?? 'error', message, count }));
  for (const [code, count] of Object.entries(tally.lost)) {
    errors.push({ kind: 'connection closed', message: `closed by the server with ${code}`, count });
  }
  if (outcome.unexpected > 0) errors.push({ kind: 'misdelivery', message: 'pushes received by a connection of another user', count: outcome.unexpected });
  return {
    tool: 'wsgw-load',
    version: 1,
    scenario: plan.scenario,
    target: input.target,
    startedAt: input.startedAt.toISOString(),
    durationMs: Math.round(input.durationMs),
    parameters: plan.parameters,
    connections: {
      attempted: tally.attempted,
      succeeded: tally.opened,
      failed,
      failedByReason: tally.failedByReason,
      connectMs: settlement.connectLatency.percentiles(),
    },
    messages: {
      pushesSent: tally.sent,
      pushErrors: Object.entries(tally.errors).filter(([kind]) => kind.startsWith('push api')).reduce((sum, [, n]) => sum + n, 0),
      deliveriesExpected: outcome.expected,
      deliveriesReceived: outcome.received,
      lost: outcome.lost,
      duplicates: outcome.duplicates,
      outOfOrder: outcome.outOfOrder,
      acksSent: tally.acks,
    },
    latencyMs: settlement.latency.percentiles(),
    latencyHistogram: settlement.latency.buckets(),
    timeline: input.timeline,
    timelineIntervalMs: input.timelineIntervalMs,
    errors,
    thresholds: [],
    saturation: {
      ...plateauOf(input.timeline),
      ...(tally.firstTimeout && { firstHandshakeTimeoutS: tally.firstTimeout.atMs / 1000, connectionsAtFirstTimeout: tally.firstTimeout.open }),
    },
  };
}

/**
 * The level where the delivered message rate stops climbing: the highest rate the run held for
 * several consecutive samples (the median of each 5-sample window), and when it was first reached.
 */
export function plateauOf(timeline: TimelinePoint[], window = 5): { plateauPerSec: number; plateauAtS: number } {
  let best = { plateauPerSec: 0, plateauAtS: 0 };
  for (let end = Math.min(window, timeline.length); end <= timeline.length; end += 1) {
    const slice = timeline.slice(Math.max(0, end - window), end);
    const rates = slice.map((point) => point.receivedPerSec).sort((a, b) => a - b);
    const median = rates[Math.floor(rates.length / 2)] ?? 0;
    if (median > best.plateauPerSec * 1.02) best = { plateauPerSec: median, plateauAtS: slice[0]?.t ?? 0 };
  }
  return best;
}
