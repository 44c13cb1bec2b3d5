import type { Bus } from '../bus/bus.ts';
import type { GatewayConfig } from '../config.ts';
import type { Hub } from '../hub/hub.ts';
import type { NodeReport, SlowDeliveriesReport } from '../protocol.ts';
import { createNodeReporter } from '../stats/node-reporter.ts';
import { createSlowDeliveries } from '../stats/slow-deliveries.ts';
import { createStatsCollector, type StatsCollector } from '../stats/stats-collector.ts';
import { combineObservers, type GatewayObserver } from './gateway-observer.ts';
import { createExposition, type Exposition } from './metrics-exposition.ts';
import { createGatewayMetrics } from './metrics.ts';
import { createTraceObserver } from './trace-observer.ts';

export type TelemetryConfig = Pick<GatewayConfig, 'nodeId' | 'metrics' | 'slowConsumerBytes' | 'slowDeliveryMs' | 'traceUserIds'>;

export interface TelemetryOptions {
  /** The gateway's version, in the node report. */
  version: string;
  /** Read at each scrape for the bus metrics. */
  bus: Pick<Bus, 'health' | 'invalidMessages' | 'history'>;
}

/** Everything the node observes about itself, built before the hub and attached to it after. */
export interface Telemetry {
  /** Hand it to the hub, the push service and the routes: every observer below hears it. */
  readonly observer: GatewayObserver;
  /** The counters behind `GET /api/stats`. */
  readonly stats: StatsCollector;
  /** The `/metrics` exposition; undefined with `WSGW_METRICS=false`. */
  readonly renderMetrics: ((accept: string | undefined) => Promise<Exposition>) | undefined;
  /** `GET /api/deliveries/slow`. */
  slowDeliveries(): SlowDeliveriesReport;
  /** This node's figures for the second that just ended, what membership announces (console or not). */
  nodeReport(): NodeReport;
  /** Attaches the samplers to the hub once it is built: the metrics' gauges and sampling, the report's connections. */
  watch(hub: Hub): void;
  stop(): void;
}

/**
 * The telemetry area: stats, per-node report, slow deliveries, Prometheus metrics and traces, as
 * one observer. Event counters exist before the hub; what is read from the hub waits for `watch`.
 */
export function createTelemetry(config: TelemetryConfig, options: TelemetryOptions): Telemetry {
  const stats = createStatsCollector();
  const slowDeliveries = createSlowDeliveries({ nodeId: config.nodeId, thresholdMs: config.slowDeliveryMs });
  const reporter = createNodeReporter({
    nodeId: config.nodeId,
    version: options.version,
    stats,
    // Each second's report takes only the newest few: no copy of the whole list.
    slowDeliveries: (count) => slowDeliveries.newest(count),
  });
  // Built even with metrics off, as it always was; it is then neither fed nor sampled nor served.
  const metrics = createGatewayMetrics({ slowConsumerBytes: config.slowConsumerBytes, busHealth: () => options.bus.health(), busInvalid: () => options.bus.invalidMessages(), historySize: () => options.bus.history.size() });
  const observer = combineObservers(
    stats,
    reporter.observer,
    ...(config.metrics ? [metrics.observer] : []),
    createTraceObserver({ nodeId: config.nodeId, traceUserIds: config.traceUserIds, slowDeliveryMs: config.slowDeliveryMs }),
    slowDeliveries.observer,
  );
  let stopSampling: () => void = () => undefined;

  return {
    observer,
    stats,
    renderMetrics: config.metrics ? createExposition(metrics.registry) : undefined,
    slowDeliveries: () => slowDeliveries.report(),
    nodeReport: () => reporter.report(),
    watch(hub) {
      reporter.watch(hub);
      if (config.metrics) stopSampling = metrics.watch(hub);
    },
    stop() {
      stopSampling();
      reporter.stop();
    },
  };
}
