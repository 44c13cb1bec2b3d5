import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import type { Bus } from './bus/bus.ts';
import { createMemoryBroker, createMemoryBus } from './bus/memory.ts';
import { createNatsBus } from './bus/nats.ts';
import { createRedisBus } from './bus/redis.ts';
import { createClusterArea } from './cluster/cluster-area.ts';
import { createStreamInterest } from './cluster/stream-interest.ts';
import type { GatewayConfig } from './config.ts';
import { createOperatorConsole } from './console/operator-console.ts';
import { createHttpServer } from './http/http-server.ts';
import { createMetricsRoutes } from './http/metrics-routes.ts';
import { createHub, type Hub } from './hub/hub.ts';
import { createClusterInspector } from './inspector/cluster-inspector.ts';
import { createPushInspector } from './inspector/push-inspector.ts';
import { createLogger } from './log.ts';
import { createPushService } from './push/push-service.ts';
import type { StatsCollector } from './stats/stats-collector.ts';
import { createStopStack } from './stop-stack.ts';
import { combineObservers } from './telemetry/gateway-observer.ts';
import { createTelemetry } from './telemetry/telemetry.ts';
import { createWsArea, type WsArea } from './ws/ws-area.ts';

export interface GatewayServer {
  readonly nodeId: string;
  readonly hub: Hub;
  readonly stats: StatsCollector;
  readonly logger: Logger;
  readonly bus: Bus;
  /** How many connections wait for their token to expire, and how many are in their refresh grace. */
  readonly tokenExpiry: WsArea['expiry'];
  /** Listens on the main port and, with `WSGW_METRICS_PORT`, on the metrics port too. */
  listen(): Promise<AddressInfo>;
  /** Where /metrics is served on a port of its own, once `listen` resolved; otherwise undefined. */
  metricsAddress(): AddressInfo | undefined;
  /** Graceful stop: not ready, no new connections, every connection closed with 1001. */
  shutdown(): Promise<void>;
}

export interface ServerDependencies {
  /** Overrides the bus chosen from the configuration (tests put several nodes on one memory broker). */
  bus?: Bus;
  logger?: Logger;
}

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** Picks the bus implementation; the only place that knows which one runs. */
function createBus(config: GatewayConfig, logger: Logger): Bus {
  const scheme = config.bus === 'memory' ? 'memory' : new URL(config.bus).protocol.replace(':', '');
  switch (scheme) {
    case 'nats':
      return createNatsBus({ url: config.bus, prefix: config.busPrefix, name: `wsgw-${config.nodeId}`, nodeId: config.nodeId, logger, history: config.history });
    case 'redis':
    case 'rediss':
      return createRedisBus({ url: config.bus, prefix: config.busPrefix, nodeId: config.nodeId, logger, history: config.history });
    default:
      return createMemoryBus(createMemoryBroker(config.history), { logger, nodeId: config.nodeId });
  }
}

/** `/metrics` alone, for `WSGW_METRICS_PORT`: everything else there is a JSON 404. */
function createMetricsServer(metrics: Hono, logger: Logger) {
  const app = new Hono();
  app.route('/', metrics);
  app.notFound((c) => c.json({ error: 'not found: this port serves /metrics only' }, 404));
  const http = createHttpServer(logger);
  http.serve(app);
  return http;
}

/**
 * The one wiring point: config → bus → hub → push service → app → listen, each area built by its
 * own assembler. Every part pushes its stop as it is built; a shutdown unwinds them newest first:
 * the server stops listening (the node is draining), the console, pushes, cluster and telemetry
 * stop, the WebSocket clients are closed with 1001, the last HTTP connections are cut, the bus
 * closes.
 */
export function createServer(config: GatewayConfig, dependencies: ServerDependencies = {}): GatewayServer {
  const logger = dependencies.logger ?? createLogger(config.logLevel, config.nodeId);
  const stops = createStopStack();
  const bus = dependencies.bus ?? createBus(config, logger);
  stops.push(() => bus.close());
  // Built before what it carries, so that it is closed after them.
  const http = createHttpServer(logger);
  stops.push(() => http.close());
  const telemetry = createTelemetry(config, { version: VERSION, bus });
  const { stats, observer } = telemetry;
  // Off (`WSGW_PUSH_RECORD_MS=0`), nothing is built: the hub gets no recorder and the observer stays as it is.
  const { maxAgeMs, capacity, connections } = config.pushRecords;
  const inspector = maxAgeMs > 0 ? createPushInspector({ nodeId: config.nodeId, maxAgeMs, capacity, connections }) : undefined;
  const hub = inspector
    ? createHub({ slowConsumerBytes: config.slowConsumerBytes, observer: combineObservers(observer, inspector.observer), recorder: inspector.recorder })
    : createHub({ slowConsumerBytes: config.slowConsumerBytes, observer });
  const interest = createStreamInterest(bus);
  const ws = createWsArea({ config, hub, history: bus.history, interest, observer, logger, isDraining: http.isDraining });
  stops.push(() => ws.stop());
  telemetry.watch(hub);
  stops.push(() => telemetry.stop());
  const cluster = createClusterArea({ config, bus, hub, interest, tags: ws.tags, report: telemetry.nodeReport });
  stops.push(() => cluster.stop());
  const records = inspector && createClusterInspector({ nodeId: config.nodeId, bus, local: inspector, peers: cluster.peers, settled: cluster.settled, waitMs: cluster.waitMs });
  if (records) stops.push(() => records.stop());
  const { idempotencyMs, traceClients } = config;
  const pushes = createPushService({ nodeId: config.nodeId, hub, bus, observer, idempotencyMs, logger, traceClients, cluster, interest, ...(inspector && { inspector }) });
  stops.push(() => pushes.stop());
  const operatorConsole = config.adminToken
    ? createOperatorConsole({ config, adminToken: config.adminToken, version: VERSION, cluster, pushes, observer, logger, ...(records && { records }) })
    : undefined;
  if (operatorConsole) stops.push(() => operatorConsole.stop());
  const metrics = telemetry.renderMetrics && createMetricsRoutes({ render: telemetry.renderMetrics, token: config.metricsToken });
  const metricsHttp = metrics && config.metricsPort !== undefined ? createMetricsServer(metrics, logger) : undefined;
  if (metricsHttp) stops.push(() => metricsHttp.close());
  const app = createApp({
    config,
    hub,
    pushes,
    telemetry,
    cluster,
    ...(records && { records }),
    logger,
    ...(metrics && !metricsHttp && { metrics }),
    ws: ws.route,
    isDraining: http.isDraining,
    busHealth: () => bus.health(),
    ...(operatorConsole && { console: operatorConsole.app }),
  });
  http.serve(app);
  ws.attach(http.server, operatorConsole?.upgradeRoutes);
  stops.push(() => http.stopListening());
  let metricsAddress: AddressInfo | undefined;

  return {
    nodeId: config.nodeId,
    hub,
    stats,
    logger,
    bus,
    tokenExpiry: ws.expiry,
    async listen() {
      if (metricsHttp) metricsAddress = await metricsHttp.listen(config.metricsPort!, config.host);
      return http.listen(config.port, config.host);
    },
    metricsAddress: () => metricsAddress,
    shutdown: () => stops.unwind(),
  };
}
