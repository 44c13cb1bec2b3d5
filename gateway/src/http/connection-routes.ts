import { Hono } from 'hono';
import type { ClusterDisconnect, DisconnectOrder } from '../cluster/cluster-control.ts';
import type { ClusterUserConnections } from '../cluster/user-directory.ts';
import type { DisconnectResult, UserConnections } from '../protocol.ts';

/** What the connection routes need of the cluster: both act on every node. */
export interface ClusterConnections {
  /** A user's connections across the cluster. */
  userConnections(user: string): Promise<ClusterUserConnections>;
  /** Closes the matching connections (4001) wherever they are held. */
  disconnect(order: DisconnectOrder): Promise<ClusterDisconnect>;
}

const incomplete = (complete: boolean) => (complete ? {} : { complete: false as const });

/**
 * The routes that read or close connections, for the whole cluster: one implementation behind
 * both `/api` and the console's `/api/console`, so neither answers for its own node alone.
 */
export function createConnectionRoutes(cluster: ClusterConnections): Hono {
  const routes = new Hono();

  routes.get('/users/:user', async (c) => {
    const user = c.req.param('user');
    const { connections, complete } = await cluster.userConnections(user);
    return c.json({ user, connections, ...incomplete(complete) } satisfies UserConnections);
  });

  routes.post('/users/:user/disconnect', async (c) => {
    const { disconnected, complete } = await cluster.disconnect({ user: c.req.param('user') });
    return c.json({ disconnected, ...incomplete(complete) } satisfies DisconnectResult);
  });

  routes.post('/connections/:id/disconnect', async (c) => {
    const { disconnected, complete } = await cluster.disconnect({ connection: c.req.param('id') });
    if (disconnected === 0) return c.json({ error: 'no such connection', ...incomplete(complete) }, 404);
    return c.json({ disconnected } satisfies DisconnectResult);
  });

  return routes;
}
