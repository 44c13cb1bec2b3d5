import { Hono } from 'hono';
import type { Hub } from '../hub/hub.ts';
import type { StatsCollector } from '../stats/stats-collector.ts';
import { createConnectionRoutes, type ClusterConnections } from './connection-routes.ts';

/** Inspection and control of connections: users and disconnects across the cluster, this node's stats. */
export function createAdminRoutes(nodeId: string, hub: Hub, stats: StatsCollector, cluster: ClusterConnections): Hono {
  const routes = new Hono();
  routes.route('/', createConnectionRoutes(cluster));

  routes.get('/stats', (c) =>
    c.json(stats.snapshot({ node: nodeId, connections: hub.size, users: hub.userCount, tags: hub.tagCount })),
  );

  return routes;
}
