import { Hono } from 'hono';
import type { Logger } from 'pino';
import { BusUnavailableError, PushNotPublishedError, type BusHealth } from './bus/bus.ts';
import type { GatewayConfig } from './config.ts';
import type { ClusterArea } from './cluster/cluster-area.ts';
import type { Hub } from './hub/hub.ts';
import { createAdminRoutes } from './http/admin-routes.ts';
import { adminTokenAuth, apiKeyAuth } from './http/bearer-auth.ts';
import { declaredBodyLimit } from './http/json-body.ts';
import type { PushRecords } from './http/push-record-routes.ts';
import { createPushRoutes } from './http/push-routes.ts';
import type { PushService } from './push/push-service.ts';
import { SpanNames } from './telemetry/span-attributes.ts';
import type { Telemetry } from './telemetry/telemetry.ts';
import { serverSpan } from './telemetry/tracing.ts';

export interface AppOptions {
  config: Pick<GatewayConfig, 'apiKey' | 'maxBodyBytes' | 'nodeId'>;
  hub: Hub;
  pushes: PushService;
  /** Stats and slow deliveries. */
  telemetry: Pick<Telemetry, 'stats' | 'observer' | 'slowDeliveries'>;
  /** `/metrics` (`createMetricsRoutes`); absent with `WSGW_METRICS=false` or on its own port: a 404 then. */
  metrics?: Hono;
  /** `GET /api/cluster`, and a user's connections across the cluster. */
  cluster: Pick<ClusterArea, 'view' | 'userConnections' | 'disconnect' | 'changeTags' | 'tagConnections'>;
  /** `GET /api/pushes/:id` and a user's pushes across the cluster; absent when the inspector is off. */
  records?: PushRecords;
  logger: Logger;
  /** `/ws`: the WebSocket endpoint's routes (`WsEndpoint.route`). */
  ws: Hono;
  isDraining(): boolean;
  busHealth(): BusHealth;
  /** The operator console: its API (under `/api/console`) and page; absent when turned off. */
  console?: { adminToken: string; routes: Hono; assets: Hono };
}

/** The gateway's HTTP surface (no listening here: server.ts does that). */
export function createApp(options: AppOptions): Hono {
  const { config, hub, pushes, cluster, logger } = options;
  const { stats, observer } = options.telemetry;
  const app = new Hono();

  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/ready', (c) => {
    if (options.isDraining()) return c.json({ error: 'draining' }, 503);
    const bus = options.busHealth();
    if (!bus.connected) return c.json({ error: `bus unavailable: ${bus.reason ?? 'not connected'}` }, 503);
    return c.json({ status: 'ready', node: config.nodeId });
  });

  if (options.metrics) app.route('/', options.metrics);

  app.route('/', options.ws);
  if (options.console) app.route('/', options.console.assets);

  // Traced before authentication, so refused pushes show up in the caller's trace too.
  app.use('/api/push', serverSpan(SpanNames.push, '/api/push'));
  app.use('/api/push/batch', serverSpan(SpanNames.batch, '/api/push/batch'));
  app.use('/api/console/push', serverSpan(SpanNames.consolePush, '/api/console/push'));
  // The console's endpoints take the operator token, everything else under /api the push API key.
  const pushApiAuth = apiKeyAuth(config.apiKey);
  const operatorAuth = options.console ? adminTokenAuth(options.console.adminToken) : undefined;
  app.use('/api/*', async (c, next) => {
    if (!c.req.path.startsWith('/api/console/')) return pushApiAuth(c, next);
    if (!operatorAuth) return c.json({ error: 'the console is turned off (WSGW_CONSOLE=false)' }, 404);
    return operatorAuth(c, next);
  });
  // A push refused for its declared size is a push error like one refused while it is read.
  const pushPaths = new Set(['/api/push', '/api/push/batch', '/api/console/push']);
  app.use('/api/*', declaredBodyLimit(config.maxBodyBytes, (path) => pushPaths.has(path) && observer.pushFailed('too_large')));
  if (options.console) app.route('/api/console', options.console.routes);
  app.get('/api/deliveries/slow', (c) => c.json(options.telemetry.slowDeliveries()));
  app.get('/api/cluster', (c) => c.json(cluster.view()));
  app.route('/api', createPushRoutes(pushes, observer, config.maxBodyBytes, logger));
  app.route('/api', createAdminRoutes(config.nodeId, hub, stats, cluster, options.records));

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    if (error instanceof PushNotPublishedError) {
      // Delivered here, not to the other nodes: say how far it got, so the caller can retry by id.
      return c.json({ error: `bus unavailable: ${error.message}`, id: error.id, recipients: error.localRecipients }, 503);
    }
    if (error instanceof BusUnavailableError) return c.json({ error: `bus unavailable: ${error.message}` }, 503);
    logger.error({ err: error, method: c.req.method, path: c.req.routePath }, 'request failed');
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
