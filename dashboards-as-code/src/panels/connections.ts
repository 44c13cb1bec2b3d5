import { MetricNames } from '@wsgw/gateway/metric-names';
import { CLOSE_REASONS } from '@wsgw/gateway/protocol';
import { prometheusQuery, timeseriesPanel } from '../common.ts';
import { perSecond, series, sumBy } from '../promql.ts';

/** Open connections, one line per node. */
export const connectionsByNode = () =>
  timeseriesPanel('Connections by node', 'short')
    .description('Open WebSocket connections on each node, and the distinct users behind them.')
    .withTarget(prometheusQuery(sumBy(['instance'], series(MetricNames.connections)), '{{instance}}'))
    .withTarget(prometheusQuery(sumBy(['instance'], series(MetricNames.users)), '{{instance}} users'));

/** Connects per second against disconnects per second by close reason (drawn below the axis). */
export const connectsAndDisconnects = () =>
  timeseriesPanel('Connects and disconnects by reason', 'ops')
    .description(`Connections opened per second, and closed per second by reason (${CLOSE_REASONS.join(', ')}).`)
    .withTarget(prometheusQuery(sumBy([], perSecond(MetricNames.connectionsOpened)), 'connects'))
    .withTarget(prometheusQuery(`-${sumBy(['reason'], perSecond(MetricNames.connectionsClosed))}`, '{{reason}}'));

/** Upgrades refused per second, by reason. */
export const rejectionsByReason = () =>
  timeseriesPanel('Refused upgrades by reason', 'ops')
    .description('WebSocket upgrades refused per second: auth (bad or expired token), limit (node or user connection cap), origin, rate (per-IP connect rate).')
    .withTarget(prometheusQuery(sumBy(['reason'], perSecond(MetricNames.connectionsRejected)), '{{reason}}'));
