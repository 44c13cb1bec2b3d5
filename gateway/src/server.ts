import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createServer as createHttpServer } from 'node:http';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import { createTokenVerifier } from './auth/token-verifier.ts';
import type { Bus } from './bus/bus.ts';
import { createMemoryBus } from './bus/memory.ts';
import { createClusterControl } from './cluster/cluster-control.ts';
import { clusterNodeOf, createMembership } from './cluster/membership.ts';
import { createReceipts } from './cluster/receipts.ts';
import { createUserDirectory } from './cluster/user-directory.ts';
import { createNatsBus } from './bus/nats.ts';
import { createRedisBus } from './bus/redis.ts';
import type { GatewayConfig } from './config.ts';
import { createOperatorConsole } from './console/operator-console.ts';
import { createClientErrorHandler, requestErrorResponse } from './http/client-error.ts';
import { createHub, type Hub } from './hub/hub.ts';
import { createLogger } from './log.ts';
import { createPushService } from './push/push-service.ts';
import type { StatsCollector } from './stats/stats-collector.ts';
import { createTelemetry } from './telemetry/telemetry.ts';
import { createConnectRate } from './ws/connect-rate.ts';
import { startHeartbeat } from './ws/heartbeat.ts';
import { createUpgradeGate } from './ws/upgrade-gate.ts';
import { createWsEndpoint } from './ws/ws-endpoint.ts';
import { createWsEvents } from './ws/ws-route.ts';

export interface GatewayServer {
  readonly nodeId: string;
  readonly hub: Hub;
  readonly stats: StatsCollector;
  readonly logger: Logger;
  readonly bus: Bus;
  listen(): Promise<AddressInfo>;
  /** Graceful stop: not ready, no new connections, every connection closed with 1001. */
  shutdown(): Promise<void>;
}

export interface ServerDependencies {
  /** Overrides the bus chosen from the configuration (tests put several nodes on one memory broker). */
  bus?: Bus;
  logger?: Logger;
}

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
/** Nodes announce themselves this often. */
const ANNOUNCE_INTERVAL_MS = 1000;

/** Picks the bus implementation; the only place that knows which one runs. */
function createBus(config: GatewayConfig, logger: Logger): Bus {
  const scheme = config.bus === 'memory' ? 'memory' : new URL(config.bus).protocol.replace(':', '');
  switch (scheme) {
    case 'nats':
      return createNatsBus({ url: config.bus, prefix: config.busPrefix, name: `wsgw-${config.nodeId}`, logger });
    case 'redis':
    case 'rediss':
      return createRedisBus({ url: config.bus, prefix: config.busPrefix, logger });
    default:
      return createMemoryBus(undefined, logger);
  }
}

/** The one wiring point: config → bus → hub → app → HTTP server. */
export function createServer(config: GatewayConfig, dependencies: ServerDependencies = {}): GatewayServer {
  const logger = dependencies.logger ?? createLogger(config.logLevel, config.nodeId);
  const bus = dependencies.bus ?? createBus(config, logger);
  const telemetry = createTelemetry(config, { version: VERSION, bus });
  const { stats, observer } = telemetry;
  const hub: Hub = createHub({ slowConsumerBytes: config.slowConsumerBytes, observer });
  telemetry.watch(hub);
  const membership = createMembership({
    nodeId: config.nodeId,
    bus,
    intervalMs: ANNOUNCE_INTERVAL_MS,
    timeoutMs: config.nodeTimeoutMs,
    report: telemetry.nodeReport,
  });
  const receipts = createReceipts(config.nodeId, bus);
  const settled = () => membership.settled();
  const directory = createUserDirectory(config.nodeId, bus, (user) => hub.userConnections(user), settled);
  const control = createClusterControl(config.nodeId, bus, hub, settled);
  const userConnections = (user: string) => directory.lookup(user, membership.peers(), config.clusterWaitMs);
  const pushes = createPushService({
    nodeId: config.nodeId,
    hub,
    bus,
    observer,
    idempotencyMs: config.idempotencyMs,
    logger,
    traceClients: config.traceClients,
    cluster: { receipts, peers: () => membership.peers(), settled, waitMs: config.clusterWaitMs },
  });
  const verify = createTokenVerifier({ secret: config.jwtSecret, publicKey: config.jwtPublicKey });
  const connectRate = createConnectRate(config.connectRatePerIp);
  const operatorConsole = config.adminToken
    ? createOperatorConsole({ config, adminToken: config.adminToken, version: VERSION, membership, pushes, observer, userConnections, control, logger })
    : undefined;
  let draining = false;
  const isDraining = () => draining;
  const endpoint = createWsEndpoint({
    admit: createUpgradeGate({ config, verify, hub, connectRate, isDraining }),
    events: createWsEvents({ nodeId: config.nodeId, hub, config, observer, logger }),
    maxFrameBytes: config.maxFrameBytes,
    observer,
    logger,
  });

  const app = createApp({
    config,
    hub,
    pushes,
    stats,
    observer,
    renderMetrics: telemetry.renderMetrics,
    slowDeliveries: telemetry.slowDeliveries,
    logger,
    ws: endpoint.route,
    isDraining,
    busHealth: () => bus.health(),
    clusterView: () => ({ node: config.nodeId, nodes: membership.nodes().map(clusterNodeOf) }),
    userConnections,
    ...(operatorConsole && { console: operatorConsole.app }),
  });
  // A missing Host is left to the adapter, which answers it (and a bad Host) through
  // `requestErrorResponse` with a JSON 400; Node's own check answers with an empty body.
  const server = createHttpServer({ requireHostHeader: false }, getRequestListener(app.fetch, { errorHandler: requestErrorResponse }));
  // Backends keep HTTP connections to the push API open; outlive the usual 60 s idle timeout of
  // load balancers and clients so a reused connection is never closed under a request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  endpoint.attach(server, operatorConsole?.upgradeRoutes);
  server.on('clientError', createClientErrorHandler(logger));
  const stopHeartbeat = startHeartbeat(hub, config.heartbeatMs);
  membership.start();

  let stopping: Promise<void> | undefined;
  const shutdown = async () => {
    draining = true;
    stopHeartbeat();
    membership.stop();
    telemetry.stop();
    operatorConsole?.stop();
    receipts.stop();
    directory.stop();
    control.stop();
    connectRate.stop();
    pushes.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await hub.closeAll(config.shutdownTimeoutMs);
    endpoint.stop();
    server.closeAllConnections();
    await closed;
    await bus.close();
  };

  return {
    nodeId: config.nodeId,
    hub,
    stats,
    logger,
    bus,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    shutdown: () => (stopping ??= shutdown()),
  };
}
