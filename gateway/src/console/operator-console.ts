import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { ClusterArea } from '../cluster/cluster-area.ts';
import type { GatewayConfig } from '../config.ts';
import type { PushRecords } from '../http/push-record-routes.ts';
import type { PushService } from '../push/push-service.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import type { UpgradeRoute } from '../ws/ws-endpoint.ts';
import { createConsoleAssets } from './console-assets.ts';
import { createConsoleFeed } from './console-feed.ts';
import { createConsoleRoutes } from './console-routes.ts';
import { createSnapshotBuilder } from './console-snapshot.ts';

export interface OperatorConsole {
  /** What the app mounts: the API under `/api/console` and the page at `/console/`. */
  readonly app: { adminToken: string; routes: Hono; assets: Hono };
  /** The feed's WebSocket endpoint, for the WebSocket endpoint's upgrade listener. */
  readonly upgradeRoutes: Record<string, UpgradeRoute>;
  /** Closes the feed's viewers (1001). */
  stop(): void;
}

export interface OperatorConsoleOptions {
  config: Pick<GatewayConfig, 'nodeId' | 'slowDeliveryMs' | 'maxBodyBytes' | 'traceUrlTemplate' | 'pushRecords'>;
  adminToken: string;
  version: string;
  /** The nodes the console shows, the users it looks up and the disconnects it orders. */
  cluster: Pick<ClusterArea, 'membership' | 'userConnections' | 'disconnect' | 'changeTags' | 'tagConnections'>;
  pushes: PushService;
  /** The push inspector across the cluster; absent when it is off. */
  records?: PushRecords;
  observer: GatewayObserver;
  logger: Logger;
}

/** The console's server side: its API, its page and its feed, built from the node's parts. */
export function createOperatorConsole(options: OperatorConsoleOptions): OperatorConsole {
  const { config, adminToken, cluster } = options;
  const snapshots = createSnapshotBuilder({ nodeId: config.nodeId, slowDeliveryThresholdMs: config.slowDeliveryMs });
  const feed = createConsoleFeed({ adminToken, snapshot: () => snapshots.build(cluster.membership.nodes()), logger: options.logger });
  const routes = createConsoleRoutes({
    session: {
      node: config.nodeId,
      version: options.version,
      slowDeliveryThresholdMs: config.slowDeliveryMs,
      pushRecordMs: config.pushRecords.maxAgeMs,
      ...(config.traceUrlTemplate && { traceUrlTemplate: config.traceUrlTemplate }),
    },
    pushes: options.pushes,
    observer: options.observer,
    maxBodyBytes: config.maxBodyBytes,
    cluster,
    ...(options.records && { records: options.records }),
  });
  return {
    app: { adminToken, routes, assets: createConsoleAssets() },
    upgradeRoutes: { '/api/console/feed': feed.handleUpgrade },
    stop: () => feed.close(),
  };
}
