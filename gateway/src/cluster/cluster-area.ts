import type { Bus } from '../bus/bus.ts';
import type { GatewayConfig } from '../config.ts';
import type { Hub } from '../hub/hub.ts';
import type { ClusterView, NodeReport } from '../protocol.ts';
import { tagStream, userStream } from '../push/streams.ts';
import type { TagChanges, TagOrder } from '../ws/tag-changes.ts';
import { WATCH_WAIT_MS } from '../ws/stream-resume.ts';
import { createClusterControl, type ClusterControl, type ClusterDisconnect, type DisconnectOrder } from './cluster-control.ts';
import { createInterestDirectory, type Holders } from './interest-directory.ts';
import { clusterNodeOf, createMembership, type Membership } from './membership.ts';
import { createReceipts, type Receipts } from './receipts.ts';
import type { StreamInterest } from './stream-interest.ts';
import { createClusterTags, type ClusterTagPage, type ClusterTagResult, type TagPageRequest } from './cluster-tags.ts';
import { createUserDirectory, type ClusterUserConnections } from './user-directory.ts';

/** Nodes announce themselves this often (ms). */
const ANNOUNCE_INTERVAL_MS = 1000;

export interface ClusterAreaOptions {
  config: Pick<GatewayConfig, 'nodeId' | 'nodeTimeoutMs' | 'clusterWaitMs'>;
  bus: Bus;
  hub: Hub;
  /** The streams this node watches, told to the others. */
  interest: StreamInterest;
  /** Applies tag changes to this node's connections. */
  tags: TagChanges;
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
  /** The live peers holding one of `streams` (interest-directory.ts). */
  holders(streams: readonly string[]): Holders;
  /** Whether `peers()` can be trusted to be complete (see `Membership.settled`). */
  settled(): boolean;
  /** A user's connections across the cluster. */
  userConnections(user: string): Promise<ClusterUserConnections>;
  /** Closes the matching connections (4001) wherever they are held, within `clusterWaitMs`. */
  disconnect(order: DisconnectOrder): Promise<ClusterDisconnect>;
  /**
   * Changes the tags of a user's connections or of one connection wherever they are held; waits
   * for the peers up to `clusterWaitMs` past the time a node may take to route the new streams.
   */
  changeTags(order: TagOrder): Promise<ClusterTagResult>;
  /** One page of a tag's connections across the cluster, within `clusterWaitMs`. */
  tagConnections(request: TagPageRequest): Promise<ClusterTagPage>;
  /** `GET /api/cluster`: this node and the nodes it hears. */
  view(): ClusterView;
  /** Stops announcing and answering the other nodes. */
  stop(): void;
}

/** Builds membership (and starts announcing), the interest directory, receipts, the user directory and cluster control. */
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
  const interest = createInterestDirectory({ nodeId: config.nodeId, bus, interest: options.interest, peers: () => membership.peers() });
  const holders = (streams: readonly string[]) => interest.holders(streams, membership.peers());
  const directory = createUserDirectory(config.nodeId, bus, (user) => hub.userConnections(user), settled);
  const control = createClusterControl(config.nodeId, bus, hub, settled, holders);
  const tags = createClusterTags(config.nodeId, bus, hub, options.tags, settled, holders);
  membership.start();
  return {
    membership,
    receipts,
    control,
    waitMs: config.clusterWaitMs,
    peers: () => membership.peers(),
    holders,
    settled,
    userConnections: (user) => directory.lookup(user, holders([userStream(user)]), config.clusterWaitMs),
    disconnect: (order) => control.disconnect(order, membership.peers(), config.clusterWaitMs),
    changeTags: (order) => tags.change(order, membership.peers(), WATCH_WAIT_MS + config.clusterWaitMs),
    tagConnections: (request) => tags.page(request, holders([tagStream(request.tag)]), config.clusterWaitMs),
    view: () => ({ node: config.nodeId, nodes: membership.nodes().map(clusterNodeOf) }),
    stop() {
      membership.stop();
      receipts.stop();
      directory.stop();
      control.stop();
      tags.stop();
      interest.stop();
    },
  };
}
