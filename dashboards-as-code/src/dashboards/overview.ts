import { type Dashboard, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { MetricNames } from '@wsgw/gateway/metric-names';
import { buildDashboard, dashboardFrame, nodeVariable } from '../common.ts';
import { bufferedBytes, slowConsumers } from '../panels/backpressure.ts';
import { busErrors, busLag } from '../panels/bus.ts';
import { connectionsByNode, connectsAndDisconnects, rejectionsByReason, tokenRefreshes } from '../panels/connections.ts';
import { broadcastDuration, pushToAckHeatmap, pushToWriteHeatmap } from '../panels/latency.ts';
import { deliveriesPerSecond, dropsByReason, pushesByTarget } from '../panels/pushes.ts';
import { busPushesReceived, historyBytes, historyHeld, replayDuration, resumes } from '../panels/recovery.ts';
import { eventLoopLag, memory } from '../panels/runtime.ts';

/** wsgw / Overview: the health of every node at a glance, top to bottom from sockets to runtime. */
export const overviewDashboard = (): Dashboard =>
  buildDashboard(
    dashboardFrame('wsgw / Overview', 'wsgw-overview', 'Connections, pushes, delivery latency, backpressure, the bus, recovery and the runtime of every wsgw node.')
      .withVariable(nodeVariable(MetricNames.connections))
      .withRow(new RowBuilder('Connections'))
      .withPanel(connectionsByNode().span(6).height(8))
      .withPanel(connectsAndDisconnects().span(6).height(8))
      .withPanel(rejectionsByReason().span(6).height(8))
      .withPanel(tokenRefreshes().span(6).height(8))
      .withRow(new RowBuilder('Pushes'))
      .withPanel(pushesByTarget().span(8).height(8))
      .withPanel(deliveriesPerSecond().span(8).height(8))
      .withPanel(dropsByReason().span(8).height(8))
      .withRow(new RowBuilder('Latency'))
      .withPanel(broadcastDuration().span(8).height(9))
      .withPanel(pushToWriteHeatmap().span(8).height(9))
      .withPanel(pushToAckHeatmap().span(8).height(9))
      .withRow(new RowBuilder('Backpressure and bus'))
      .withPanel(slowConsumers().span(6).height(8))
      .withPanel(bufferedBytes().span(6).height(8))
      .withPanel(busLag().span(6).height(8))
      .withPanel(busErrors().span(6).height(8))
      .withRow(new RowBuilder('Recovery and routing'))
      .withPanel(resumes().span(6).height(8))
      .withPanel(replayDuration().span(6).height(8))
      .withPanel(historyHeld().span(4).height(8))
      .withPanel(historyBytes().span(4).height(8))
      .withPanel(busPushesReceived().span(4).height(8))
      .withRow(new RowBuilder('Runtime'))
      .withPanel(eventLoopLag().span(12).height(8))
      .withPanel(memory().span(12).height(8)),
  );
