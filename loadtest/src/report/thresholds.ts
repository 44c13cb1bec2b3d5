import type { RunReport, ThresholdResult } from './run-report.ts';

type Operator = '<' | '<=' | '>' | '>=' | '=';

export interface Threshold {
  expression: string;
  metric: string;
  operator: Operator;
  value: number;
  unit: string;
}

const METRICS: Record<string, { unit: 'ms' | '%' | 'count'; read(report: RunReport): number }> = {
  p50: { unit: 'ms', read: (r) => r.latencyMs.p50 },
  p90: { unit: 'ms', read: (r) => r.latencyMs.p90 },
  p99: { unit: 'ms', read: (r) => r.latencyMs.p99 },
  'p99.9': { unit: 'ms', read: (r) => r.latencyMs.p999 },
  max: { unit: 'ms', read: (r) => r.latencyMs.max },
  mean: { unit: 'ms', read: (r) => r.latencyMs.mean },
  connect_p99: { unit: 'ms', read: (r) => r.connections.connectMs.p99 },
  success: { unit: '%', read: (r) => (r.connections.attempted === 0 ? 0 : (100 * r.connections.succeeded) / r.connections.attempted) },
  delivered: { unit: '%', read: (r) => (r.messages.deliveriesExpected === 0 ? 100 : (100 * (r.messages.deliveriesExpected - r.messages.lost)) / r.messages.deliveriesExpected) },
  loss: { unit: 'count', read: (r) => r.messages.lost },
  duplicates: { unit: 'count', read: (r) => r.messages.duplicates },
  out_of_order: { unit: 'count', read: (r) => r.messages.outOfOrder },
  errors: { unit: 'count', read: (r) => r.errors.reduce((sum, e) => sum + e.count, 0) },
};

/**
 * Parses `p99<50ms,success>99%,loss=0`. Latency values take `ms` (default) or `s`; rates take `%`;
 * counts are bare numbers. Unknown metrics or malformed terms are errors, reported at start-up.
 */
export function parseThresholds(text: string): Threshold[] {
  return text
    .split(',')
    .map((term) => term.trim())
    .filter((term) => term !== '')
    .map((expression) => {
      const match = /^([a-z_][a-z0-9_.]*)\s*(<=|>=|<|>|=)\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|%)?$/i.exec(expression);
      if (!match) throw new Error(`threshold "${expression}" is not of the form metric<value (e.g. p99<50ms)`);
      const [, metric, operator, raw, unit = ''] = match;
      const known = METRICS[metric!.toLowerCase()];
      if (!known) throw new Error(`threshold "${expression}": unknown metric ${metric}; known: ${Object.keys(METRICS).join(', ')}`);
      if (known.unit === 'ms' && unit === '%') throw new Error(`threshold "${expression}": ${metric} is a latency (ms or s)`);
      if (known.unit === '%' && unit !== '%' && unit !== '') throw new Error(`threshold "${expression}": ${metric} is a percentage`);
      if (known.unit === 'count' && unit !== '') throw new Error(`threshold "${expression}": ${metric} is a count`);
      const value = Number(raw) * (unit.toLowerCase() === 's' ? 1000 : 1);
      return { expression, metric: metric!.toLowerCase(), operator: operator as Operator, value, unit: known.unit };
    });
}

export function evaluateThresholds(thresholds: Threshold[], report: RunReport): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const metric = METRICS[threshold.metric]!;
    // A latency threshold over a run that measured no delivery cannot pass: there is nothing to vouch for.
    const measured = metric.unit !== 'ms' || (threshold.metric === 'connect_p99' ? report.connections.connectMs.count : report.latencyMs.count) > 0;
    const actual = measured ? metric.read(report) : Number.NaN;
    const passed = measured && compare(actual, threshold.operator, threshold.value);
    return { expression: threshold.expression, passed, actual };
  });
}

function compare(actual: number, operator: Operator, value: number): boolean {
  switch (operator) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '=':
      return actual === value;
  }
}
