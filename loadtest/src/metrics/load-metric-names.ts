/**
 * Every metric the load tester serves (`--metrics-port`), named once. The dashboards import these
 * constants (`@wsgw/loadtest/metric-names`) without pulling in prom-client or an HTTP server, and a
 * rename breaks their build instead of silently emptying a graph. The only label is `reason` on
 * `connectionFailures`: a connection's failure reason (`timeout`, `refused`, `http 401`, ...).
 */
export const LoadMetricNames = {
  connections: 'wsgw_load_connections',
  /** Every connection the run tried to open: succeeded + failed. */
  connectionsAttempted: 'wsgw_load_connections_attempted_total',
  connectionsSucceeded: 'wsgw_load_connections_succeeded_total',
  connectionFailures: 'wsgw_load_connection_failures_total',
  sent: 'wsgw_load_pushes_sent_total',
  received: 'wsgw_load_deliveries_received_total',
  lost: 'wsgw_load_deliveries_lost_total',
  latency: 'wsgw_load_latency_seconds',
} as const;
