import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { LoadMetricNames } from '@wsgw/loadtest/metric-names';
import { buildDashboard, dashboardFrame, nodeVariable } from '../common.ts';
import { clientLatency, clientLatencyHeatmap, connectionOutcome, connectionsOverTime, throughput, totals } from '../panels/load-test.ts';

/** wsgw / Load test: a `wsgw-load` run as its clients saw it, live. */
export const loadTestDashboard = (): Dashboard =>
  buildDashboard(
    dashboardFrame(
      'wsgw / Load test',
      'wsgw-load-test',
      'The load tester\'s own metrics (wsgw-load --metrics-port): connections, client-side latency, pushes sent and deliveries received or lost.',
    )
      // A run is short and watched as it goes: a closer window, refreshed more often.
      .tags(['wsgw', 'load'])
      .refresh('5s')
      .time({ from: 'now-15m', to: 'now' })
      // Here "node" is the load tester process: several runs can be scraped side by side.
      .withVariable(nodeVariable(LoadMetricNames.connections).label('Load tester'))
      .withPanel(connectionOutcome().span(6).height(8))
      .withPanel(connectionsOverTime().span(9).height(8))
      .withPanel(totals().span(9).height(8))
      .withPanel(clientLatency().span(12).height(9))
      .withPanel(clientLatencyHeatmap().span(12).height(9))
      .withPanel(throughput().span(24).height(8)),
  );
