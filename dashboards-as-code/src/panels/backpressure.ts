import { MetricNames } from '@wsgw/gateway/metric-names';
import { prometheusQuery, timeseriesPanel } from '../common.ts';
import { quantile, series, sumBy } from '../promql.ts';

/** Connections above half the slow-consumer limit, per node: the ones about to be cut. */
export const slowConsumers = () =>
  timeseriesPanel('Slow consumers', 'short')
    .description('Connections holding more than half the slow-consumer buffer limit at the last sample (WSGW_SLOW_CONSUMER_BYTES); past the limit they are closed with 4001.')
    .withTarget(prometheusQuery(sumBy(['instance'], series(MetricNames.slowConsumers)), '{{instance}}'));

/** Unsent bytes per connection, p50 and p99 per node. */
export const bufferedBytes = () =>
  timeseriesPanel('Buffered bytes per connection', 'bytes')
    .description('Unsent bytes per connection, sampled every second: p50 and p99 on each node.')
    .withTarget(prometheusQuery(quantile(0.5, MetricNames.socketBufferedBytes, ['instance']), '{{instance}} p50'))
    .withTarget(prometheusQuery(quantile(0.99, MetricNames.socketBufferedBytes, ['instance']), '{{instance}} p99'));
