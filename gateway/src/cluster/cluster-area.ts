import type { Bus } from '../bus/bus.ts';
import type { GatewayConfig } from '../config.ts';
import type { Hub } from '../hub/hub.ts';
import type { ClusterView, NodeReport } from '../protocol.ts';
import { createClusterControl, type ClusterControl } from './cluster-control.ts';
import { clusterNodeOf, createMembership, type Membership } from './membership.ts';
import { createReceipts, type Receipts } from './receipts.ts';
import { createUserDirectory, type ClusterUserConnections } from './user-directory.ts';

/** Nodes announce themselves this often (ms). */
const ANNOUNCE_INTERVAL_MS = 1000;

export interface ClusterAreaOptions {
  config: Pick<GatewayConfig, 'nodeId' | 'nodeTimeoutMs' | 'clusterWaitMs'>;
  bus: Bus;
  hub: Hub;
  /** This node's figures for the second that just ended, announced to the others. */
  report(): NodeReport;
}

/** This node's view of the others, and the requests that cross the bus to them. */
export interface ClusterArea {
  readonly membership: Membership;
  /** Delivery counts from the other nodes, for cluster-wide recipients. */
  readonly receipts: Receipts;
  /** Disconnects on whichever node holds the connection. */
  readonly control: ClusterControl;
  /** The longest a cluster-wide answer waits for the other nodes (ms, `WSGW_CLUSTER_WAIT_MS`). */
  readonly waitMs: number;
  peers(): string[];
  /** Whether `peers()` can be trusted to be complete (see `Membership.settled`). */
  settled(): boolean;
  /** A user's connections across the cluster. */
  userConnections(user: string): Promise<ClusterUserConnections>;
  /** `GET /api/cluster`: this node and the nodes it hears. */
  view(): ClusterView;
  /** Stops announcing and answering the other nodes. */
  stop(): void;
}

/** Builds membership (and starts announcing), receipts, the user directory and cluster control. */
export function createClusterArea(options: ClusterAreaOptions): ClusterArea {
  const { config, bus, hub } = options;
  const membership = createMembership({
    nodeId: config.nodeId,
    bus,
    intervalMs: ANNOUNCE_INTERVAL_MS,
    timeoutMs: config.nodeTimeoutMs,
    report: options.report,
  });
  const receipts = createReceipts(config.nodeId, bus);
  const settled = () => membership.settled();
  const directory = createUserDirectory(config.nodeId, bus, (user) => hub.userConnections(user), settled);
  const control = createClusterControl(config.nodeId, bus, hub, settled);
  membership.start();
  return {
    membership,
    receipts,
    control,
    waitMs: config.clusterWaitMs,
    peers: () => membership.peers(),
    settled,
    userConnections: (user) => directory.lookup(user, membership.peers(), config.clusterWaitMs),
    view: () => ({ node: config.nodeId, nodes: membership.nodes().map(clusterNodeOf) }),
    stop() {
      membership.stop();
      receipts.stop();
      directory.stop();
      control.stop();
    },
  };
}
