import type { NodeStatus } from '../cluster/membership.ts';
import { CONSOLE_LATENCY_BOUNDS_MS, type ConsoleSnapshot, type DeliveryRecord, type PushTailEntry, type TagChangeEntry } from '../protocol.ts';
import { addLatencyCounts, emptyLatencyCounts, latencyPercentiles, type LatencyCounts } from '../stats/latency-buckets.ts';

const SLOW_DELIVERIES = 30;
const TAIL_PUSHES = 20;
const TAIL_TAG_CHANGES = 20;
/** Seconds of cluster latency counts behind `lastMinute`. */
const MINUTE = 60;

export interface SnapshotBuilder {
  /** The snapshot of the cluster as `nodes` report it; call once a second. */
  build(nodes: readonly NodeStatus[], now?: number): ConsoleSnapshot;
}

/**
 * Folds the nodes' latest reports into one console snapshot. Each report counts once: a node that
 * has not announced since the previous snapshot contributes its figures but not its latency counts
 * or pushes again, so a missed announcement never doubles a second.
 */
export function createSnapshotBuilder(options: { nodeId: string; slowDeliveryThresholdMs: number }): SnapshotBuilder {
  const minute: LatencyCounts[] = [];
  const folded = new Map<string, number>();

  return {
    build(nodes, now = Date.now()) {
      const counts = emptyLatencyCounts();
      const recentPushes: PushTailEntry[] = [];
      const recentTagChanges: TagChangeEntry[] = [];
      const slowDeliveries: DeliveryRecord[] = [];
      for (const node of nodes) {
        slowDeliveries.push(...node.slowDeliveries);
        if (folded.get(node.node) === node.at) continue;
        folded.set(node.node, node.at);
        addLatencyCounts(counts, node.latencyCounts);
        recentPushes.push(...node.recentPushes);
        recentTagChanges.push(...node.recentTagChanges);
      }
      for (const node of folded.keys()) if (!nodes.some((n) => n.node === node)) folded.delete(node);
      minute.push(counts);
      if (minute.length > MINUTE) minute.shift();
      const minuteCounts = emptyLatencyCounts();
      for (const second of minute) addLatencyCounts(minuteCounts, second);

      const sum = (pick: (node: NodeStatus) => number) => nodes.reduce((total, node) => total + pick(node), 0);
      return {
        type: 'snapshot',
        at: now,
        node: options.nodeId,
        nodes: nodes.map(({ lastSeen: _lastSeen, ...report }) => report),
        totals: {
          nodes: nodes.length,
          connections: sum((n) => n.connections),
          users: sum((n) => n.users),
          pushesPerSec: sum((n) => n.pushesPerSec),
          deliveriesPerSec: sum((n) => n.deliveriesPerSec),
          acksPerSec: sum((n) => n.acksPerSec),
          dropsPerSec: { slow_consumer: sum((n) => n.dropsPerSec.slow_consumer), closed: sum((n) => n.dropsPerSec.closed) },
        },
        latency: {
          boundsMs: CONSOLE_LATENCY_BOUNDS_MS,
          counts,
          lastSecond: latencyPercentiles(counts),
          lastMinute: latencyPercentiles(minuteCounts),
        },
        slowDeliveries: slowDeliveries.sort((a, b) => b.acked - a.acked).slice(0, SLOW_DELIVERIES),
        slowDeliveryThresholdMs: options.slowDeliveryThresholdMs,
        recentPushes: recentPushes.sort((a, b) => b.at - a.at).slice(0, TAIL_PUSHES),
        recentTagChanges: recentTagChanges.sort((a, b) => b.at - a.at).slice(0, TAIL_TAG_CHANGES),
      };
    },
  };
}
