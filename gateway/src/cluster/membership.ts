import type { Bus } from '../bus/bus.ts';
import type { ClusterNode } from '../protocol.ts';

/** What a node says about itself every second, and what `GET /api/cluster` lists. */
export type NodeStatus = ClusterNode;

export interface Membership {
  /** This node and every peer heard from within the timeout. */
  nodes(): NodeStatus[];
  /** Ids of the live peers (not this node). */
  peers(): string[];
  start(): void;
  stop(): void;
}

export interface MembershipOptions {
  nodeId: string;
  version: string;
  bus: Bus;
  /** Figures of this node: what it holds now and its counters since start. */
  local(): { connections: number; users: number; pushes: number; deliveries: number };
  intervalMs: number;
  /** A peer not heard from for this long has left. */
  timeoutMs: number;
}

const TOPIC = 'announce';

/** Nodes announce themselves over the bus; each keeps the list of peers it still hears. */
export function createMembership(options: MembershipOptions): Membership {
  const peers = new Map<string, NodeStatus>();
  let previous = { at: Date.now(), pushes: 0, deliveries: 0 };
  let self: NodeStatus = { node: options.nodeId, version: options.version, connections: 0, users: 0, pushesPerSec: 0, deliveriesPerSec: 0, lastSeen: Date.now() };
  let timer: NodeJS.Timeout | undefined;

  const measure = (): NodeStatus => {
    const now = Date.now();
    const local = options.local();
    const seconds = Math.max(0.001, (now - previous.at) / 1000);
    self = {
      node: options.nodeId,
      version: options.version,
      connections: local.connections,
      users: local.users,
      pushesPerSec: (local.pushes - previous.pushes) / seconds,
      deliveriesPerSec: (local.deliveries - previous.deliveries) / seconds,
      lastSeen: now,
    };
    previous = { at: now, pushes: local.pushes, deliveries: local.deliveries };
    return self;
  };

  const announce = () => {
    options.bus.signal({ origin: options.nodeId, topic: TOPIC, body: measure() }).catch(() => undefined);
  };

  const unsubscribe = options.bus.onSignal((signal) => {
    if (signal.topic !== TOPIC || signal.origin === options.nodeId) return;
    const status = signal.body as NodeStatus;
    peers.set(signal.origin, { ...status, node: signal.origin, lastSeen: Date.now() });
  });

  const live = () => {
    const cutoff = Date.now() - options.timeoutMs;
    for (const [node, status] of peers) if (status.lastSeen < cutoff) peers.delete(node);
    return [...peers.values()];
  };

  return {
    nodes: () => [self, ...live()].sort((a, b) => a.node.localeCompare(b.node)),
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
