import { MetricNames } from '@wsgw/gateway/metric-names';
import { heatmapPanel, heatmapQuery, prometheusQuery, statPanel, timeseriesPanel } from '../common.ts';
import { bucketRates, quantile, shareAbove } from '../promql.ts';

/** The name of the delivery-latency dashboard's threshold variable, a `le` bound in seconds. */
export const SLOW_VARIABLE = 'slow';

const percentiles = [0.5, 0.95, 0.99];
const label = (q: number) => `p${q * 100}`;

/** One push's fan-out on one node (resolve targets, queue frames): p50, p95, p99 over all nodes. */
export const broadcastDuration = () => {
  const panel = timeseriesPanel('Broadcast duration', 's').description('One push fanned out on one node: resolving its targets and queueing the frames. Grows with recipients per node.');
  for (const q of percentiles) panel.withTarget(prometheusQuery(quantile(q, MetricNames.broadcastDuration), label(q)));
  return panel;
};

/** Push accepted → frame handed to the socket, per delivery; each exemplar opens its push's trace. */
export const pushToWriteHeatmap = () =>
  heatmapPanel('Push → write', 's')
    .description('Push accepted by the API to its frame handed to the socket, per delivery. Exemplars (dots) link to the trace of one push in Tempo.')
    .withTarget(heatmapQuery(bucketRates(MetricNames.pushToWrite), true));

/** Push accepted → client ack: the end-to-end latency; each exemplar opens its push's trace. */
export const pushToAckHeatmap = () =>
  heatmapPanel('Push → ack (end to end)', 's')
    .description('Push accepted by the API to the client acknowledging it: the latency users feel. Exemplars (dots) link to the trace of one push in Tempo.')
    .withTarget(heatmapQuery(bucketRates(MetricNames.pushToAck), true));

/** End-to-end latency percentiles, one set of lines per node. */
export const endToEndPercentilesByNode = () => {
  const panel = timeseriesPanel('End-to-end percentiles by node', 's').description('Push accepted to client ack, per node holding the connection.');
  for (const q of percentiles) panel.withTarget(prometheusQuery(quantile(q, MetricNames.pushToAck, ['instance']), `{{instance}} ${label(q)}`));
  return panel;
};

/** Push → write p99 per node: the gateway's own share of the end-to-end latency. */
export const writePercentilesByNode = () =>
  timeseriesPanel('Push → write p99 by node', 's')
    .description('The gateway-side part of the latency: accepted to handed to the socket. When end to end is slow and this is not, the time is spent in the network or the client.')
    .withTarget(prometheusQuery(quantile(0.99, MetricNames.pushToWrite, ['instance']), '{{instance}} p99'));

/** The share of deliveries acked later than the threshold, per node. */
export const slowShareByNode = () =>
  timeseriesPanel('Deliveries over the slow threshold', 'percentunit')
    .description(`Share of acked deliveries slower than the "Slow above" bound (seconds; the gateway keeps such deliveries for /api/deliveries/slow above WSGW_SLOW_DELIVERY_MS, 0.25 s by default).`)
    .max(1)
    .withTarget(prometheusQuery(shareAbove(MetricNames.pushToAck, `$${SLOW_VARIABLE}`, ['instance']), '{{instance}}'));

/** The same share over all the picked nodes, as one number. */
export const slowShare = () =>
  statPanel('Slow deliveries', 'percentunit')
    .description('Share of all acked deliveries on the picked nodes slower than the "Slow above" bound.')
    .withTarget(prometheusQuery(shareAbove(MetricNames.pushToAck, `$${SLOW_VARIABLE}`), 'slow'));
