import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { LATENCY_BUCKETS, MetricNames } from '@wsgw/gateway/metric-names';
import { buildDashboard, choiceVariable, dashboardFrame, nodeVariable } from '../common.ts';
import { endToEndPercentilesByNode, pushToAckHeatmap, SLOW_VARIABLE, slowShare, slowShareByNode, writePercentilesByNode } from '../panels/latency.ts';

/** The gateway's default slow-delivery threshold (WSGW_SLOW_DELIVERY_MS = 250), as a bucket bound. */
const DEFAULT_SLOW_SECONDS = 0.25;

/**
 * wsgw / Delivery latency: where the time between a push and its ack goes, and a way from a slow
 * bucket to the trace of one push in it.
 */
export const deliveryLatencyDashboard = (): Dashboard =>
  buildDashboard(
    dashboardFrame('wsgw / Delivery latency', 'wsgw-delivery-latency', 'End-to-end delivery latency (push accepted → client ack) with exemplars linking to traces in Tempo.')
      .withVariable(nodeVariable(MetricNames.connections))
      // Only bucket bounds can be thresholds: the share is read off the histogram's own buckets.
      .withVariable(choiceVariable(SLOW_VARIABLE, 'Slow above (s)', LATENCY_BUCKETS, DEFAULT_SLOW_SECONDS))
      .withPanel(pushToAckHeatmap().span(24).height(11))
      .withPanel(endToEndPercentilesByNode().span(12).height(9))
      .withPanel(writePercentilesByNode().span(12).height(9))
      .withPanel(slowShareByNode().span(18).height(8))
      .withPanel(slowShare().span(6).height(8)),
  );
