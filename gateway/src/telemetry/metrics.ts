import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type RegistryContentType } from 'prom-client';
import { BUS_MESSAGE_KINDS, type BusHealth, type BusMessageKind } from '../bus/bus.ts';
import type { Hub } from '../hub/hub.ts';
import { bufferedBytes } from '../hub/connection.ts';
import type { CloseReason, DropReason, PushErrorReason, RejectReason } from '../protocol.ts';
import type { GatewayObserver } from './gateway-observer.ts';
import { BUFFERED_BYTES_BUCKETS, DURATION_BUCKETS, LATENCY_BUCKETS, MetricNames } from './metric-names.ts';
import { createWeightedHistogram } from './weighted-histogram.ts';

const CLOSE_REASONS: CloseReason[] = ['normal', 'error', 'slow_consumer', 'policy', 'timeout', 'shutdown', 'kicked'];
const REJECT_REASONS: RejectReason[] = ['auth', 'limit', 'origin', 'rate'];
const PUSH_ERROR_REASONS: PushErrorReason[] = ['invalid', 'too_large', 'bus', 'internal'];
const DROP_REASONS: DropReason[] = ['slow_consumer', 'closed'];

export interface GatewayMetrics {
  readonly registry: Registry<RegistryContentType>;
  readonly observer: GatewayObserver;
  /** Starts the once-a-second buffered-bytes sampling; returns its stop function. */
  startSampling(intervalMs?: number): () => void;
}

export interface GatewayMetricsOptions {
  /** The bus's health, read at each scrape. */
  busHealth: () => BusHealth;
  /** Messages the bus dropped as unusable since start, by kind, read at each scrape. */
  busInvalid: () => Readonly<Record<BusMessageKind, number>>;
  /** The hub is read lazily (gauges, sampling): it is created with this module's observer. */
  hub: () => Hub;
  slowConsumerBytes: number;
}

/**
 * The gateway's Prometheus metrics. The registry is an OpenMetrics one because exemplars need it;
 * `renderMetrics` also serves the plain text format from it.
 */
export function createGatewayMetrics(options: GatewayMetricsOptions): GatewayMetrics {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  new Gauge({ name: MetricNames.connections, help: 'Open WebSocket connections on this node.', registers, collect() { this.set(options.hub().size); } });
  new Gauge({ name: MetricNames.users, help: 'Distinct users connected to this node.', registers, collect() { this.set(options.hub().userCount); } });
  const slowConsumers = new Gauge({ name: MetricNames.slowConsumers, help: 'Connections above half the slow-consumer limit at the last sample.', registers });
  const opened = new Counter({ name: MetricNames.connectionsOpened, help: 'WebSocket connections opened.', registers });
  const closed = new Counter({ name: MetricNames.connectionsClosed, help: 'WebSocket connections closed, by reason.', labelNames: ['reason'], registers });
  const rejected = new Counter({ name: MetricNames.connectionsRejected, help: 'Upgrade requests refused, by reason.', labelNames: ['reason'], registers });
  const pushes = new Counter({ name: MetricNames.pushes, help: 'Pushes accepted, by target kind.', labelNames: ['target'], registers });
  const pushErrors = new Counter({ name: MetricNames.pushErrors, help: 'Pushes refused or failed, by reason.', labelNames: ['reason'], registers });
  const deliveries = new Counter({ name: MetricNames.deliveries, help: 'Push frames handed to sockets.', registers });
  const dropped = new Counter({ name: MetricNames.deliveriesDropped, help: 'Deliveries not made, by reason.', labelNames: ['reason'], registers });
  const acks = new Counter({ name: MetricNames.acks, help: 'Client acks received.', registers });
  const broadcast = new Histogram({ name: MetricNames.broadcastDuration, help: 'One push fan-out on this node: resolve targets, queue frames.', buckets: DURATION_BUCKETS, registers });
  const handling = new Histogram({ name: MetricNames.messageHandlingDuration, help: 'One inbound client frame: parse, validate, handle.', buckets: DURATION_BUCKETS, registers });
  const pushToWrite = createWeightedHistogram({ name: MetricNames.pushToWrite, help: 'Push accepted to frame handed to the socket, per delivery.', buckets: LATENCY_BUCKETS, registers });
  const pushToAck = createWeightedHistogram({ name: MetricNames.pushToAck, help: 'Push accepted to client ack: end-to-end latency.', buckets: LATENCY_BUCKETS, registers });
  new Gauge({ name: MetricNames.busConnected, help: 'Whether the node can reach the bus (1) or not (0).', registers, collect() { this.set(options.busHealth().connected ? 1 : 0); } });
  const busErrors = new Counter({ name: MetricNames.busPublishErrors, help: 'Pushes the bus could not take.', registers });
  let reconnectsSeen = 0;
  new Counter({
    name: MetricNames.busReconnects,
    help: 'Times the bus connection came back after being lost.',
    registers,
    collect() {
      const { reconnects } = options.busHealth();
      if (reconnects > reconnectsSeen) this.inc(reconnects - reconnectsSeen);
      reconnectsSeen = reconnects;
    },
  });
  const invalidSeen = Object.fromEntries(BUS_MESSAGE_KINDS.map((kind) => [kind, 0])) as Record<BusMessageKind, number>;
  const busInvalid = new Counter({
    name: MetricNames.busInvalidMessages,
    help: 'Messages from the bus dropped as unusable, by kind.',
    labelNames: ['kind'],
    registers,
    collect() {
      const counts = options.busInvalid();
      for (const kind of BUS_MESSAGE_KINDS) {
        if (counts[kind] > invalidSeen[kind]) this.inc({ kind }, counts[kind] - invalidSeen[kind]);
        invalidSeen[kind] = counts[kind];
      }
    },
  });
  for (const kind of BUS_MESSAGE_KINDS) busInvalid.inc({ kind }, 0);
  const busLag = new Histogram({ name: MetricNames.busLag, help: 'Push handed to the bus on one node to received on another.', buckets: LATENCY_BUCKETS, registers });
  const buffered = createWeightedHistogram({ name: MetricNames.socketBufferedBytes, help: 'Unsent bytes per connection, sampled every second.', buckets: BUFFERED_BYTES_BUCKETS, registers });

  // Every bounded label value starts at zero, so rate() and absent() behave from the first scrape.
  for (const reason of CLOSE_REASONS) closed.inc({ reason }, 0);
  for (const reason of REJECT_REASONS) rejected.inc({ reason }, 0);
  for (const reason of PUSH_ERROR_REASONS) pushErrors.inc({ reason }, 0);
  for (const reason of DROP_REASONS) dropped.inc({ reason }, 0);

  // Label children resolved once: the hot path never hashes label sets.
  const pushesBy = { user: pushes.labels('user'), tag: pushes.labels('tag'), all: pushes.labels('all') };
  for (const child of Object.values(pushesBy)) child.inc(0);

  const exemplarFor = (traceId: string | undefined) => (traceId ? { trace_id: traceId } : undefined);

  const observer: GatewayObserver = {
    connectionOpened: () => opened.inc(),
    connectionClosed: (_connection, reason) => closed.inc({ reason }),
    fannedOut: (_push, _recipients, durationMs) => broadcast.observe(durationMs / 1000),
    framesWritten(written, writtenAt) {
      let total = 0;
      for (const prepared of written) {
        if (prepared.written === 0) continue;
        total += prepared.written;
        // Every delivery of this push in this round has the same latency: one weighted observation.
        pushToWrite.observe((writtenAt - prepared.push.acceptedAt) / 1000, prepared.written, exemplarFor(prepared.timing.traceId));
      }
      if (total > 0) deliveries.inc(total);
    },
    dropped: (reason, count) => dropped.inc({ reason }, count),
    acked(_connection, _pushId, timing, ackedAt) {
      acks.inc();
      if (timing) pushToAck.observe((ackedAt - timing.acceptedAt) / 1000, 1, exemplarFor(timing.traceId));
    },
    pushAccepted(target) {
      if (target.users.length > 0) pushesBy.user.inc();
      if (target.tags.length > 0) pushesBy.tag.inc();
      if (target.all) pushesBy.all.inc();
    },
    pushFailed(reason) {
      pushErrors.inc({ reason });
      if (reason === 'bus') busErrors.inc();
    },
    remotePushReceived: (lagMs) => busLag.observe(Math.max(0, lagMs) / 1000),
    connectionRejected: (reason) => rejected.inc({ reason }),
    messageHandled: (durationMs) => handling.observe(durationMs / 1000),
  };

  const sample = () => {
    let slow = 0;
    const half = options.slowConsumerBytes / 2;
    for (const connection of options.hub().connections()) {
      const bytes = bufferedBytes(connection);
      buffered.observe(bytes);
      if (bytes > half) slow += 1;
    }
    slowConsumers.set(slow);
  };

  return {
    registry,
    observer,
    startSampling(intervalMs = 1000) {
      const timer = setInterval(sample, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
