import { MetricNames } from '@wsgw/gateway/metric-names';
import { prometheusQuery, timeseriesPanel } from '../common.ts';
import { perSecond, quantile, series, sumBy } from '../promql.ts';

/** Handed to the bus on one node → received on another: p50 and p99 per receiving node. */
export const busLag = () =>
  timeseriesPanel('Bus lag', 's')
    .description('Time from a push handed to the bus on one node to its arrival on another, per receiving node. Empty with a single node (WSGW_BUS=memory).')
    .withTarget(prometheusQuery(quantile(0.5, MetricNames.busLag, ['instance']), '{{instance}} p50'))
    .withTarget(prometheusQuery(quantile(0.99, MetricNames.busLag, ['instance']), '{{instance}} p99'));

/** Pushes the bus refused, reconnects, malformed bus messages, and nodes that cannot reach the bus right now. */
export const busErrors = () =>
  timeseriesPanel('Bus errors', 'short')
    .description('Pushes the bus could not take per second (the API answered 503), bus reconnections per second, malformed messages from the bus dropped per second (by kind: push or signal), and 1 while a node cannot reach the bus or has lost its subscriptions.')
    .withTarget(prometheusQuery(sumBy(['instance'], perSecond(MetricNames.busPublishErrors)), '{{instance}} publish errors/s'))
    .withTarget(prometheusQuery(sumBy(['instance'], perSecond(MetricNames.busReconnects)), '{{instance}} reconnects/s'))
    .withTarget(prometheusQuery(sumBy(['instance', 'kind'], perSecond(MetricNames.busInvalidMessages)), '{{instance}} invalid {{kind}}/s'))
    .withTarget(prometheusQuery(sumBy(['instance'], `1 - ${series(MetricNames.busConnected)}`), '{{instance}} off the bus'));
