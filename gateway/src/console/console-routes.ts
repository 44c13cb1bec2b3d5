import { Hono } from 'hono';
import type { ClusterControl } from '../cluster/cluster-control.ts';
import type { ClusterUserConnections } from '../cluster/user-directory.ts';
import { pushHandler } from '../http/push-routes.ts';
import type { ConsoleSession, DisconnectResult, UserConnections } from '../protocol.ts';
import type { PushService } from '../push/push-service.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';

export interface ConsoleRoutesOptions {
  session: ConsoleSession;
  pushes: PushService;
  observer: GatewayObserver;
  maxBodyBytes: number;
  /** A user's connections across the cluster. */
  userConnections(user: string): Promise<ClusterUserConnections>;
  control: ClusterControl;
  peers(): string[];
  clusterWaitMs: number;
}

/**
 * The console's HTTP side under `/api/console` (operator token checked by the app): session check,
 * the user inspector with cluster-wide disconnects, and the test push.
 */
export function createConsoleRoutes(options: ConsoleRoutesOptions): Hono {
  const { control, clusterWaitMs } = options;
  const routes = new Hono();
  const incomplete = (complete: boolean) => (complete ? {} : { complete: false as const });

  routes.get('/session', (c) => c.json(options.session));

  routes.get('/users/:user', async (c) => {
    const user = c.req.param('user');
    const { connections, complete } = await options.userConnections(user);
    return c.json({ user, connections, ...incomplete(complete) } satisfies UserConnections);
  });

  routes.post('/users/:user/disconnect', async (c) => {
    const { disconnected, complete } = await control.disconnect({ user: c.req.param('user') }, options.peers(), clusterWaitMs);
    return c.json({ disconnected, ...incomplete(complete) } satisfies DisconnectResult & { complete?: false });
  });

  routes.post('/connections/:id/disconnect', async (c) => {
    const { disconnected, complete } = await control.disconnect({ connection: c.req.param('id') }, options.peers(), clusterWaitMs);
    if (disconnected === 0) return c.json({ error: 'no such connection', ...incomplete(complete) }, 404);
    return c.json({ disconnected } satisfies DisconnectResult);
  });

  routes.post('/push', pushHandler(options.pushes, options.observer, options.maxBodyBytes, true));
  return routes;
}
