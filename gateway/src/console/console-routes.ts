import { Hono } from 'hono';
import { createConnectionRoutes, type ClusterConnections } from '../http/connection-routes.ts';
import { createPushRecordRoutes, type PushRecords } from '../http/push-record-routes.ts';
import { pushHandler } from '../http/push-routes.ts';
import type { ConsoleSession } from '../protocol.ts';
import type { PushService } from '../push/push-service.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';

export interface ConsoleRoutesOptions {
  session: ConsoleSession;
  pushes: PushService;
  observer: GatewayObserver;
  maxBodyBytes: number;
  /** The user inspector's lookups and disconnects, across the cluster. */
  cluster: ClusterConnections;
  /** The push inspector across the cluster; absent when it is off. */
  records?: PushRecords;
}

/**
 * The console's HTTP side under `/api/console` (operator token checked by the app): session check,
 * the user inspector with cluster-wide disconnects, and the test push.
 */
export function createConsoleRoutes(options: ConsoleRoutesOptions): Hono {
  const routes = new Hono();
  routes.get('/session', (c) => c.json(options.session));
  routes.route('/', createPushRecordRoutes(options.records));
  routes.route('/', createConnectionRoutes(options.cluster));

  routes.post('/push', pushHandler(options.pushes, options.observer, options.maxBodyBytes, true));
  return routes;
}
