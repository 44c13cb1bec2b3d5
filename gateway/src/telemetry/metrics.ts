import { collectDefaultMetrics, Registry, type RegistryContentType } from 'prom-client';
import type { Hub } from '../hub/hub.ts';
import { registerBusMetrics, type BusMetricsOptions } from './bus-metrics.ts';
import { createEventMetrics } from './event-metrics.ts';
import type { GatewayObserver } from './gateway-observer.ts';
import { createHubSamplers } from './hub-samplers.ts';

export interface GatewayMetrics {
  readonly registry: Registry<RegistryContentType>;
  /** Feeds the event counters and histograms; hand it to the hub and the push API. */
  readonly observer: GatewayObserver;
  /**
   * Attaches the samplers to the hub once it is built: the connection and user gauges, and the
   * once-a-second buffered-bytes sampling (every `intervalMs`, default 1 s). Returns its stop.
   */
  watch(hub: Hub, intervalMs?: number): () => void;
}

export interface GatewayMetricsOptions extends BusMetricsOptions {
  /** The slow-consumer limit, bytes: a connection above half of it counts as slow in the sample. */
  slowConsumerBytes: number;
}

/**
 * The gateway's Prometheus metrics: event counters built before the hub, samplers attached after
 * it. The registry is an OpenMetrics one because exemplars need it; `renderMetrics` also serves
 * the plain text format from it.
 */
export function createGatewayMetrics(options: GatewayMetricsOptions): GatewayMetrics {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const samplers = createHubSamplers(registers, options.slowConsumerBytes);
  const observer = createEventMetrics(registers);
  registerBusMetrics(registers, options);
  return { registry, observer, watch: (hub, intervalMs) => samplers.watch(hub, intervalMs) };
}
