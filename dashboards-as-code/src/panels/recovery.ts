import { MetricNames } from '@wsgw/gateway/metric-names';
import { prometheusQuery, timeseriesPanel } from '../common.ts';
import { perSecond, quantile, series, sumBy } from '../promql.ts';

/** Resumes per second by result, and the pushes they replayed: how much reconnecting clients missed, and whether it was still held. */
export const resumes = () =>
  timeseriesPanel('Resumes', 'short')
    .description('Streams resumed per second by result (recovered: every missed push was replayed; gap: some were no longer held, the client resynchronises; unknown_epoch: the history was lost since), and pushes replayed per second, per node.')
    .withTarget(prometheusQuery(sumBy(['result'], perSecond(MetricNames.resumes)), '{{result}}/s'))
    .withTarget(prometheusQuery(sumBy(['instance'], perSecond(MetricNames.replayedPushes)), '{{instance}} replayed/s'));

/** How long a resume takes: history read, replay written, answer sent. */
export const replayDuration = () =>
  timeseriesPanel('Replay duration', 's')
    .description('One resume on each node, from its frame to the replay written and resumed sent: p50 and p99. Reads the history from the bus (NATS JetStream, Redis Streams) or the process (memory).')
    .withTarget(prometheusQuery(quantile(0.5, MetricNames.replayDuration, ['instance']), '{{instance}} p50'))
    .withTarget(prometheusQuery(quantile(0.99, MetricNames.replayDuration, ['instance']), '{{instance}} p99'));

/** What the streams' history holds: pushes and bytes. */
export const historyHeld = () =>
  timeseriesPanel('History held', 'short')
    .description("Pushes and streams held for resumes: each node's own on the memory bus, the broker's for the cluster's prefix on NATS and Redis (then every node shows the same).")
    .withTarget(prometheusQuery(series(MetricNames.historyMessages), '{{instance}} pushes'))
    .withTarget(prometheusQuery(series(MetricNames.historyStreams), '{{instance}} streams'));

export const historyBytes = () =>
  timeseriesPanel('History bytes', 'bytes')
    .description('Bytes of the pushes held for resumes (bounded by WSGW_HISTORY_MAX_BYTES on the memory bus).')
    .withTarget(prometheusQuery(series(MetricNames.historyBytes), '{{instance}}'));

/** Bus messages each node is handed: with interest routing, only those of the streams its connections hold. */
export const busPushesReceived = () =>
  timeseriesPanel('Bus pushes received', 'short')
    .description('Pushes the bus handed each node per second, its own included. A node hears only the pushes of the streams its connections hold, so a push to one user is one message to the node holding that user.')
    .withTarget(prometheusQuery(sumBy(['instance'], perSecond(MetricNames.busPushesReceived)), '{{instance}}/s'));
