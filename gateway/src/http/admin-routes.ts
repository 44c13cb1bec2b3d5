import { Hono } from 'hono';
import type { Hub } from '../hub/hub.ts';
import type { DisconnectResult, UserConnections } from '../protocol.ts';
import type { ClusterUserConnections } from '../cluster/user-directory.ts';
import type { StatsCollector } from '../stats/stats-collector.ts';

/** Inspection and control of connections: users, stats, disconnects. */
export function createAdminRoutes(nodeId: string, hub: Hub, stats: StatsCollector, users: (user: string) => Promise<ClusterUserConnections>): Hono {
  const routes = new Hono();

  routes.get('/users/:user', async (c) => {
    const user = c.req.param('user');
    const { connections, complete } = await users(user);
    return c.json({ user, connections, ...(complete ? {} : { complete: false as const }) } satisfies UserConnections);
  });

  routes.get('/stats', (c) =>
    c.json(stats.snapshot({ node: nodeId, connections: hub.size, users: hub.userCount, tags: hub.tagCount })),
  );

  routes.post('/users/:user/disconnect', (c) =>
    c.json({ disconnected: hub.disconnectUser(c.req.param('user')) } satisfies DisconnectResult),
  );

  routes.post('/connections/:id/disconnect', (c) => {
    if (!hub.disconnectConnection(c.req.param('id'))) return c.json({ error: 'no such connection' }, 404);
    return c.json({ disconnected: 1 } satisfies DisconnectResult);
  });

  return routes;
}
