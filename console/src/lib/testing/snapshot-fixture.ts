import { CONSOLE_LATENCY_BOUNDS_MS, type ConsoleSnapshot, type NodeReport } from '@wsgw/gateway/protocol';

/** A node report with quiet defaults; tests override what they look at. */
export function nodeReport(overrides: Partial<NodeReport> = {}): NodeReport {
  return {
    node: 'n1',
    version: '0.1.0',
    uptime: 60,
    connections: 0,
    users: 0,
    pushesPerSec: 0,
    deliveriesPerSec: 0,
    acksPerSec: 0,
    dropsPerSec: { slow_consumer: 0, closed: 0 },
    eventLoopLagMs: { p50: 1, p99: 2, max: 3 },
    memory: { rss: 100_000_000, heapUsed: 20_000_000 },
    latencyCounts: new Array<number>(CONSOLE_LATENCY_BOUNDS_MS.length + 1).fill(0),
    mostBuffered: [],
    recentPushes: [],
    slowDeliveries: [],
    recentTagChanges: [],
    at: 0,
    ...overrides,
  };
}

/** A snapshot of `nodes` at epoch ms `at`, its totals summed from the nodes as the gateway does. */
export function snapshotAt(at: number, nodes: NodeReport[] = [nodeReport({ at })], overrides: Partial<ConsoleSnapshot> = {}): ConsoleSnapshot {
  const sum = (pick: (n: NodeReport) => number) => nodes.reduce((total, n) => total + pick(n), 0);
  const counts = new Array<number>(CONSOLE_LATENCY_BOUNDS_MS.length + 1).fill(0);
  for (const n of nodes) n.latencyCounts.forEach((c, i) => (counts[i]! += c));
  const none = { p50: null, p95: null, p99: null, count: 0 };
  return {
    type: 'snapshot',
    at,
    node: nodes[0]?.node ?? 'n1',
    nodes,
    totals: {
      nodes: nodes.length,
      connections: sum((n) => n.connections),
      users: sum((n) => n.users),
      pushesPerSec: sum((n) => n.pushesPerSec),
      deliveriesPerSec: sum((n) => n.deliveriesPerSec),
      acksPerSec: sum((n) => n.acksPerSec),
      dropsPerSec: { slow_consumer: sum((n) => n.dropsPerSec.slow_consumer), closed: sum((n) => n.dropsPerSec.closed) },
    },
    latency: { boundsMs: CONSOLE_LATENCY_BOUNDS_MS, counts, lastSecond: none, lastMinute: none },
    slowDeliveries: [],
    slowDeliveryThresholdMs: 250,
    recentPushes: [],
    recentTagChanges: [],
    ...overrides,
  };
}
