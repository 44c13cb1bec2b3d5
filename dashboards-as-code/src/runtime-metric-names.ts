/**
 * The Node.js runtime metrics every wsgw process exposes through prom-client's default collectors.
 * Their names belong to prom-client, not to the gateway, so they are named here; the Prometheus
 * proof test fails if a prom-client upgrade renames one.
 */
export const RuntimeMetricNames = {
  /** Event-loop delay percentiles over prom-client's sampling window, seconds. */
  eventLoopLagP50: 'nodejs_eventloop_lag_p50_seconds',
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  residentMemory: 'process_resident_memory_bytes',
  heapUsed: 'nodejs_heap_size_used_bytes',
  externalMemory: 'nodejs_external_memory_bytes',
  cpuSeconds: 'process_cpu_seconds_total',
} as const;
