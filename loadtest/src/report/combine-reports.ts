import { createLatencyHistogram } from '../metrics/latency-histogram.ts';
import type { RunResult } from '../run-engine.ts';
import type { RunReport } from './run-report.ts';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function addCounts(target: Record<string, number>, source: Record<string, number>): Record<string, number> {
  for (const [key, n] of Object.entries(source)) target[key] = (target[key] ?? 0) + n;
  return target;
}

/**
 * One report for a progressive run: counts summed, latency from the stages' merged histograms
 * (exact), the timeline laid end to end, and every stage kept in `phases`.
 */
export function combineReports(scenario: string, stages: RunResult[], cooldownMs: number): RunReport {
  const reports = stages.map((stage) => stage.report);
  const latency = createLatencyHistogram();
  const connect = createLatencyHistogram();
  for (const stage of stages) {
    latency.add(stage.latency);
    connect.add(stage.connectLatency);
  }
  let offset = 0;
  const timeline = reports.flatMap((report) => {
    const points = report.timeline.map((point) => ({ ...point, t: Math.round((point.t + offset) * 10) / 10 }));
    offset += report.durationMs / 1000 + cooldownMs / 1000;
    return points;
  });
  const first = reports[0]!;
  const errors = new Map<string, { kind: string; message: string; count: number }>();
  for (const error of reports.flatMap((r) => r.errors)) {
    const known = errors.get(error.message);
    if (known) known.count += error.count;
    else errors.set(error.message, { ...error });
  }
  return {
    ...first,
    scenario,
    durationMs: sum(reports.map((r) => r.durationMs)) + cooldownMs * (reports.length - 1),
    parameters: { stages: reports.map((r) => r.scenario).join(' → '), cooldownS: cooldownMs / 1000 },
    connections: {
      attempted: sum(reports.map((r) => r.connections.attempted)),
      succeeded: sum(reports.map((r) => r.connections.succeeded)),
      failed: sum(reports.map((r) => r.connections.failed)),
      failedByReason: reports.reduce((acc, r) => addCounts(acc, r.connections.failedByReason), {} as Record<string, number>),
      connectMs: connect.percentiles(),
    },
    messages: {
      pushesSent: sum(reports.map((r) => r.messages.pushesSent)),
      pushErrors: sum(reports.map((r) => r.messages.pushErrors)),
      deliveriesExpected: sum(reports.map((r) => r.messages.deliveriesExpected)),
      deliveriesReceived: sum(reports.map((r) => r.messages.deliveriesReceived)),
      lost: sum(reports.map((r) => r.messages.lost)),
      duplicates: sum(reports.map((r) => r.messages.duplicates)),
      outOfOrder: sum(reports.map((r) => r.messages.outOfOrder)),
      acksSent: sum(reports.map((r) => r.messages.acksSent)),
    },
    latencyMs: latency.percentiles(),
    latencyHistogram: latency.buckets(),
    timeline,
    errors: [...errors.values()],
    thresholds: [],
    phases: reports,
  };
}
