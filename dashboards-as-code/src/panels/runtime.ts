import { prometheusQuery, timeseriesPanel } from '../common.ts';
import { series } from '../promql.ts';
import { RuntimeMetricNames } from '../runtime-metric-names.ts';

/** Event-loop delay per node: a busy loop delays every socket write on that node. */
export const eventLoopLag = () =>
  timeseriesPanel('Event-loop lag', 's')
    .description('Event-loop delay on each node, p50 and p99 over the runtime sampler window. Every delivery on a node waits behind it.')
    .withTarget(prometheusQuery(series(RuntimeMetricNames.eventLoopLagP50), '{{instance}} p50'))
    .withTarget(prometheusQuery(series(RuntimeMetricNames.eventLoopLagP99), '{{instance}} p99'));

/** Resident memory and V8 heap per node. */
export const memory = () =>
  timeseriesPanel('Memory', 'bytes')
    .description('Resident set size, V8 heap in use, and memory held outside the heap (socket buffers among it), per node.')
    .withTarget(prometheusQuery(series(RuntimeMetricNames.residentMemory), '{{instance}} rss'))
    .withTarget(prometheusQuery(series(RuntimeMetricNames.heapUsed), '{{instance}} heap'))
    .withTarget(prometheusQuery(series(RuntimeMetricNames.externalMemory), '{{instance}} external'));
