import { Hono } from 'hono';
import type { Hub } from '../hub/hub.ts';
import type { StatsCollector } from '../stats/stats-collector.ts';
import { createConnectionRoutes, type ClusterConnections } from './connection-routes.ts';
import { createPushRecordRoutes, type PushRecords } from './push-record-routes.ts';

/**
 * Inspection and control: users, disconnects and push records across the cluster, this node's
 * stats. `records` is absent when the push inspector is off.
 */
export function createAdminRoutes(nodeId: string, hub: Hub, stats: StatsCollector, cluster: ClusterConnections, records: PushRecords | undefined): Hono {
  const routes = new Hono();
  routes.route('/', createPushRecordRoutes(records));
  routes.route('/', createConnectionRoutes(cluster));

  routes.get('/stats', (c) =>
    c.json(stats.snapshot({ node: nodeId, connections: hub.size, users: hub.userCount, tags: hub.tagCount })),
  );

  return routes;
}
