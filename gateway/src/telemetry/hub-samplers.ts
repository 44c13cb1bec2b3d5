import { Gauge, type Registry, type RegistryContentType } from 'prom-client';
import type { Hub } from '../hub/hub.ts';
import { BUFFERED_BYTES_BUCKETS, MetricNames } from './metric-names.ts';
import { createWeightedHistogram } from './weighted-histogram.ts';

export interface HubSamplers {
  /**
   * Reads `hub` from now on: connections and users at each scrape, every connection's buffered
   * bytes every `intervalMs` (default 1 s). Returns the sampling's stop.
   */
  watch(hub: Hub, intervalMs?: number): () => void;
}

/**
 * The metrics read from the hub rather than fed by its events. They are registered with the
 * event metrics, before the hub exists, and read nothing (zeros) until `watch` hands them the hub.
 */
export function createHubSamplers(registers: Array<Registry<RegistryContentType>>, slowConsumerBytes: number): HubSamplers {
  let watched: Hub | undefined;
  new Gauge({ name: MetricNames.connections, help: 'Open WebSocket connections on this node.', registers, collect() { this.set(watched?.size ?? 0); } });
  new Gauge({ name: MetricNames.users, help: 'Distinct users connected to this node.', registers, collect() { this.set(watched?.userCount ?? 0); } });
  const slowConsumers = new Gauge({ name: MetricNames.slowConsumers, help: 'Connections above half the slow-consumer limit at the last sample.', registers });
  const buffered = createWeightedHistogram({ name: MetricNames.socketBufferedBytes, help: 'Unsent bytes per connection, sampled every second.', buckets: BUFFERED_BYTES_BUCKETS, registers });

  const sample = (hub: Hub) => {
    let slow = 0;
    let idle = 0;
    const half = slowConsumerBytes / 2;
    // Nearly every connection has nothing buffered: those are counted here and observed at once,
    // so the walk over 10k connections stays well under a millisecond of the event loop.
    hub.forEachConnection((_connection, bytes) => {
      if (bytes === 0) {
        idle += 1;
        return;
      }
      buffered.observe(bytes);
      if (bytes > half) slow += 1;
    });
    buffered.observe(0, idle);
    slowConsumers.set(slow);
  };

  return {
    watch(hub, intervalMs = 1000) {
      watched = hub;
      const timer = setInterval(() => sample(hub), intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
