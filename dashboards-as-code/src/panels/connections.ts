import { MetricNames } from '@wsgw/gateway/metric-names';
import { CLOSE_REASONS, TOKEN_RENEWAL_RESULTS } from '@wsgw/gateway/protocol';
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

/** Expired tokens per second (refresh frames sent) against the new tokens answered, by result. */
export const tokenRefreshes = () =>
  timeseriesPanel('Token refreshes', 'ops')
    .description(
      `Connections sent refresh per second (their token expired), and token frames answered per second by result (${TOKEN_RENEWAL_RESULTS.join(', ')}). Refreshes not followed by accepted tokens end as expired closes.`,
    )
    .withTarget(prometheusQuery(sumBy([], perSecond(MetricNames.tokenRefreshes)), 'refresh sent'))
    .withTarget(prometheusQuery(sumBy(['result'], perSecond(MetricNames.tokenRenewals)), '{{result}}'));
