import type { Bus } from '../bus/bus.ts';
import type { ClusterNode, NodeReport } from '../protocol.ts';

/** A node's latest report and when it was heard (epoch ms, this node's clock). */
export type NodeStatus = NodeReport & { lastSeen: number };

export interface Membership {
  /** This node and every peer heard from within the timeout, by node id. */
  nodes(): NodeStatus[];
  /** Ids of the live peers (not this node). */
  peers(): string[];
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

/**
 * Nodes announce themselves over the bus with their per-second report; each keeps the latest
 * report of the peers it still hears. The console's snapshot and `GET /api/cluster` read from it.
 */
export function createMembership(options: MembershipOptions): Membership {
  const peers = new Map<string, NodeStatus>();
  let self: NodeStatus | undefined;
  let timer: NodeJS.Timeout | undefined;

  const announce = () => {
    const report = options.report();
    self = { ...report, lastSeen: report.at };
    options.bus.signal({ origin: options.nodeId, topic: TOPIC, body: report }).catch(() => undefined);
  };

  const unsubscribe = options.bus.onSignal((signal) => {
    if (signal.topic !== TOPIC || signal.origin === options.nodeId) return;
    const report = signal.body as NodeReport;
    peers.set(signal.origin, { ...report, node: signal.origin, lastSeen: Date.now() });
  });

  const live = () => {
    const cutoff = Date.now() - options.timeoutMs;
    for (const [node, status] of peers) if (status.lastSeen < cutoff) peers.delete(node);
    return [...peers.values()];
  };

  return {
    nodes: () => [...(self ? [self] : []), ...live()].sort((a, b) => a.node.localeCompare(b.node)),
    peers: () => live().map((status) => status.node),
    start() {
      announce();
      timer = setInterval(announce, options.intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      unsubscribe();
    },
  };
}

/** The public `GET /api/cluster` entry of a node: its identity and headline figures. */
export function clusterNodeOf(status: NodeStatus): ClusterNode {
  const { node, version, connections, users, pushesPerSec, deliveriesPerSec, lastSeen } = status;
  return { node, version, connections, users, pushesPerSec, deliveriesPerSec, lastSeen };
}
