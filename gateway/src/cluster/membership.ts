import type { Bus } from '../bus/bus.ts';
import { watchBusReturns } from '../bus/bus-returns.ts';
import type { ClusterNode, NodeReport } from '../protocol.ts';
import { parseNodeReport } from './node-report-validation.ts';

/** A node's latest report and when it was heard (epoch ms, this node's clock). */
export type NodeStatus = NodeReport & { lastSeen: number };

export interface Membership {
  /** This node and every peer heard from within the timeout, by node id. */
  nodes(): NodeStatus[];
  /** Ids of the live peers (not this node). */
  peers(): string[];
  /**
   * Whether `peers()` can be trusted to be complete: the bus has been connected long enough for
   * every live peer to have announced itself. False at start-up and after each reconnection,
   * until about two announce intervals have passed (at most `timeoutMs`).
   */
  settled(): boolean;
  start(): void;
  stop(): void;
}

export interface MembershipOptions {
  nodeId: string;
  bus: Bus;
  /** This node's report for the second that just ended. */
  report(): NodeReport;
  intervalMs: number;
  /** A peer not heard from for this long has left. */
  timeoutMs: number;
}

const TOPIC = 'announce';
/** How often membership looks for a (re)connection of the bus, to announce itself at once (ms). */
const CONNECTION_CHECK_MS = 100;
/** Peers kept at most: announcements from further unknown origins are ignored (a flood must not grow the map). */
const MAX_PEERS = 1000;

/**
 * Nodes announce themselves over the bus with their per-second report; each keeps the latest
 * report of the peers it still hears. The console's snapshot and `GET /api/cluster` read from it.
 */
export function createMembership(options: MembershipOptions): Membership {
  const peers = new Map<string, NodeStatus>();
  let self: NodeStatus | undefined;
  const stops: Array<() => void> = [];
  const settleMs = Math.min(2 * options.intervalMs, options.timeoutMs);

  const announce = () => {
    const report = options.report();
    self = { ...report, lastSeen: report.at };
    options.bus.signal({ origin: options.nodeId, topic: TOPIC, body: report }).catch(() => undefined);
  };


  const live = () => {
    const cutoff = Date.now() - options.timeoutMs;
    for (const [node, status] of peers) if (status.lastSeen < cutoff) peers.delete(node);
    return [...peers.values()];
  };

  const unsubscribe = options.bus.onSignal({
    topic: TOPIC,
    parse: parseNodeReport,
    handle(origin, report) {
      if (origin === options.nodeId) return;
      if (!peers.has(origin) && peers.size >= MAX_PEERS && live().length >= MAX_PEERS) return;
      peers.set(origin, { ...report, node: origin, lastSeen: Date.now() });
    },
  });

  return {
    nodes: () => [...(self ? [self] : []), ...live()].sort((a, b) => a.node.localeCompare(b.node)),
    peers: () => live().map((status) => status.node),
    settled() {
      const { connected, connectedSince } = options.bus.health();
      if (!connected) return false;
      return connectedSince === undefined || Date.now() - connectedSince >= settleMs;
    },
    start() {
      announce();
      const timer = setInterval(announce, options.intervalMs);
      timer.unref();
      // Peers that dropped this node during an outage learn it is back with its first
      // announcement: sent the moment the bus is back rather than at the next tick.
      const stopWatching = watchBusReturns(options.bus, CONNECTION_CHECK_MS, announce);
      stops.push(() => clearInterval(timer), stopWatching);
    },
    stop() {
      for (const stop of stops.splice(0)) stop();
      unsubscribe();
    },
  };
}

/** The public `GET /api/cluster` entry of a node: its identity and headline figures. */
export function clusterNodeOf(status: NodeStatus): ClusterNode {
  const { node, version, connections, users, pushesPerSec, deliveriesPerSec, lastSeen } = status;
  return { node, version, connections, users, pushesPerSec, deliveriesPerSec, lastSeen };
}
