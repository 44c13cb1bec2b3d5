import { LoadMetricNames } from '@wsgw/loadtest/metric-names';
import { heatmapPanel, heatmapQuery, prometheusQuery, statPanel, timeseriesPanel } from '../common.ts';
import { bucketRates, perSecond, quantile, series, sumBy } from '../promql.ts';

/**
 * Panels over the load tester's own `wsgw_load_*` metrics (`wsgw-load --metrics-port`): what the
 * clients saw, to set beside what the gateways report.
 */

// A failure counter series appears with its first failure: until then the honest answer is 0.
const failures = `${sumBy([], series(LoadMetricNames.connectionFailures))} or vector(0)`;

/** Connections attempted, succeeded and failed since the run started, and open now. */
export const connectionOutcome = () =>
  statPanel('Connections', 'short')
    .description('Connections the run tried to open, those that opened, those that could not be opened, and those open now.')
    .withTarget(prometheusQuery(sumBy([], series(LoadMetricNames.connectionsAttempted)), 'attempted'))
    .withTarget(prometheusQuery(sumBy([], series(LoadMetricNames.connectionsSucceeded)), 'succeeded'))
    .withTarget(prometheusQuery(failures, 'failed'))
    .withTarget(prometheusQuery(sumBy([], series(LoadMetricNames.connections)), 'open'));

/** Attempted and succeeded over time, open connections, and failures by reason (`http 503`, `timeout`, …). */
export const connectionsOverTime = () =>
  timeseriesPanel('Connections attempted and succeeded', 'short')
    .description('Connections attempted and succeeded since the run started, open now, and the failures by reason.')
    .withTarget(prometheusQuery(sumBy([], series(LoadMetricNames.connectionsAttempted)), 'attempted'))
    .withTarget(prometheusQuery(sumBy([], series(LoadMetricNames.connectionsSucceeded)), 'succeeded'))
    .withTarget(prometheusQuery(sumBy([], series(LoadMetricNames.connections)), 'open'))
    .withTarget(prometheusQuery(sumBy(['reason'], series(LoadMetricNames.connectionFailures)), 'failed: {{reason}}'));

/** Client-side latency (push sent → frame received) percentiles. */
export const clientLatency = () => {
  const panel = timeseriesPanel('Client-side latency', 's').description('Push sent through the API to the frame received by the client, as the load tester measured it.');
  for (const q of [0.5, 0.9, 0.99]) panel.withTarget(prometheusQuery(quantile(q, LoadMetricNames.latency), `p${q * 100}`));
  return panel;
};

/** The client-side latency distribution over time. */
export const clientLatencyHeatmap = () =>
  heatmapPanel('Client-side latency distribution', 's')
    .description('The distribution behind the percentiles: deliveries per latency bucket over time.')
    .withTarget(heatmapQuery(bucketRates(LoadMetricNames.latency), false));

/** Pushes sent, deliveries received and deliveries lost, per second. */
export const throughput = () =>
  timeseriesPanel('Sent, received, lost', 'ops')
    .description('Pushes sent, push frames received by the clients, and deliveries owed but never received (counted when the run settles), per second.')
    .withTarget(prometheusQuery(sumBy([], perSecond(LoadMetricNames.sent)), 'sent'))
    .withTarget(prometheusQuery(sumBy([], perSecond(LoadMetricNames.received)), 'received'))
    .withTarget(prometheusQuery(sumBy([], perSecond(LoadMetricNames.lost)), 'lost'));

/** Run totals: sent, received, lost. */
export const totals = () =>
  statPanel('Totals', 'short')
    .description('Pushes sent, deliveries received, and deliveries lost since the run started.')
    .withTarget(prometheusQuery(sumBy([], series(LoadMetricNames.sent)), 'sent'))
    .withTarget(prometheusQuery(sumBy([], series(LoadMetricNames.received)), 'received'))
    .withTarget(prometheusQuery(sumBy([], series(LoadMetricNames.lost)), 'lost'));
