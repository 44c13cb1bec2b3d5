import { MetricNames } from '@wsgw/gateway/metric-names';
import { PUSH_ERROR_REASONS } from '@wsgw/gateway/protocol';
import { prometheusQuery, timeseriesPanel } from '../common.ts';
import { perSecond, sumBy } from '../promql.ts';

/** Pushes accepted per second by target kind (user, tag, all). */
export const pushesByTarget = () =>
  timeseriesPanel('Pushes/s by target', 'ops')
    .description('Pushes accepted by the push API per second, by target kind. A push naming users and tags counts once for each kind.')
    .withTarget(prometheusQuery(sumBy(['target'], perSecond(MetricNames.pushes)), '{{target}}'));

/** Frames handed to sockets per second on each node, and the acks coming back. */
export const deliveriesPerSecond = () =>
  timeseriesPanel('Deliveries/s', 'ops')
    .description('Push frames handed to sockets per second on each node, and client acks received.')
    .withTarget(prometheusQuery(sumBy(['instance'], perSecond(MetricNames.deliveries)), '{{instance}}'))
    .withTarget(prometheusQuery(sumBy([], perSecond(MetricNames.acks)), 'acks'));

/** Deliveries not made, and pushes refused, per second by reason. */
export const dropsByReason = () =>
  timeseriesPanel('Drops and push errors by reason', 'ops')
    .description(`Deliveries dropped per second (slow_consumer: over the buffer limit; closed: the socket went away), and pushes refused by the API (${PUSH_ERROR_REASONS.join(', ')}).`)
    .withTarget(prometheusQuery(sumBy(['reason'], perSecond(MetricNames.deliveriesDropped)), 'dropped: {{reason}}'))
    .withTarget(prometheusQuery(sumBy(['reason'], perSecond(MetricNames.pushErrors)), 'push error: {{reason}}'));
