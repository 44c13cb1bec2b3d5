import { CLOSE_REASONS, DROP_REASONS, PUSH_TARGET_KINDS, REJECT_REASONS, type DropReason, type GatewayStats } from '../protocol.ts';
import { ignoringObserver, type GatewayObserver } from '../telemetry/gateway-observer.ts';
import { zeroCounts } from './reason-counts.ts';

export interface StatsTotals {
  pushes: number;
  deliveries: number;
  acks: number;
  drops: Readonly<Record<DropReason, number>>;
}

/** Plain counters behind `GET /api/stats`; the hub feeds it as an observer. */
export interface StatsCollector extends GatewayObserver {
  snapshot(live: { node: string; connections: number; users: number; tags: number }): GatewayStats;
  /** The counters the node's per-second report derives its rates from. */
  totals(): StatsTotals;
}

export function createStatsCollector(startedAt = Date.now()): StatsCollector {
  const pushes = zeroCounts(PUSH_TARGET_KINDS);
  const drops = zeroCounts(DROP_REASONS);
  const closed = zeroCounts(CLOSE_REASONS);
  const rejected = zeroCounts(REJECT_REASONS);
  let total = 0;
  let errors = 0;
  let deliveries = 0;
  let acks = 0;
  let opened = 0;

  return {
    ...ignoringObserver,
    pushAccepted(target) {
      total += 1;
      if (target.all) pushes.all += 1;
      if (target.users.length > 0) pushes.user += 1;
      if (target.tags.length > 0) pushes.tag += 1;
    },
    pushFailed() {
      errors += 1;
    },
    connectionRejected(reason) {
      rejected[reason] += 1;
    },
    connectionOpened() {
      opened += 1;
    },
    connectionClosed(_connection, reason) {
      closed[reason] += 1;
    },
    framesWritten(written) {
      for (const prepared of written) deliveries += prepared.written;
    },
    dropped(reason, count) {
      drops[reason] += count;
    },
    acked() {
      acks += 1;
    },
    totals: () => ({ pushes: total, deliveries, acks, drops }),
    snapshot(live) {
      const memory = process.memoryUsage();
      return {
        ...live,
        pushes: { ...pushes, total, errors },
        deliveries,
        drops: { ...drops },
        acks,
        connectionsOpened: opened,
        connectionsClosed: { ...closed },
        connectionsRejected: { ...rejected },
        uptime: Math.round((Date.now() - startedAt) / 1000),
        memory: { rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal },
      };
    },
  };
}
