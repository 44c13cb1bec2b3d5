import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Hub } from '../hub/hub.ts';
import { DROP_REASONS, type BufferedConnection, type DeliveryRecord, type NodeReport, type PushTailEntry, type TagChangeEntry } from '../protocol.ts';
import type { PushEnvelope } from '../push/push-envelope.ts';
import { ignoringObserver, type GatewayObserver } from '../telemetry/gateway-observer.ts';
import { destinationOf } from '../telemetry/tracing.ts';
import { emptyLatencyCounts, latencyBucket } from './latency-buckets.ts';
import { zeroCounts } from './reason-counts.ts';
import type { StatsCollector, StatsTotals } from './stats-collector.ts';

/** Per node and report: the most buffered connections, the pushes of the tail, the slow deliveries. */
const MOST_BUFFERED = 5;
const TAIL_PUSHES = 10;
const SLOW_DELIVERIES = 10;
const TAIL_TAG_CHANGES = 10;

interface FannedOut {
  push: PushEnvelope;
  recipients: number;
  durationMs: number;
  at: number;
}

export interface NodeReporter {
  /** Feeds the push → ack buckets and the push tail. */
  readonly observer: GatewayObserver;
  /** Reads the hub's connections from now on (before, a report counts none). */
  watch(hub: Hub): void;
  /** This node's figures since the previous call (call it once a second). */
  report(): NodeReport;
  stop(): void;
}

export interface NodeReporterOptions {
  nodeId: string;
  version: string;
  stats: StatsCollector;
  /** The node's `count` newest slow deliveries, newest first. */
  slowDeliveries(count: number): DeliveryRecord[];
  startedAt?: number;
}

/**
 * What this node announces each second: read by the console's snapshot and `GET /api/cluster`
 * alike, and built whether the console runs or not. Everything in it is bounded (a handful of
 * connections, pushes and deliveries), so it costs the same at 10 connections and at 10,000.
 */
export function createNodeReporter(options: NodeReporterOptions): NodeReporter {
  const { nodeId, version, stats } = options;
  const startedAt = options.startedAt ?? Date.now();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let hub: Hub | undefined;
  let latency = emptyLatencyCounts();
  const tail = createPushTail();
  /** The second's tag changes, newest last; past the bound the oldest go. */
  let tagChanges: TagChangeEntry[] = [];
  let previous: { at: number; totals: StatsTotals } = { at: Date.now(), totals: snapshotTotals(stats.totals()) };

  const observer: GatewayObserver = {
    ...ignoringObserver,
    acked(_connection, _pushId, timing, ackedAt) {
      if (timing) latency[latencyBucket(ackedAt - timing.acceptedAt)]! += 1;
    },
    fannedOut: (push, recipients, durationMs) => tail.add({ push, recipients, durationMs, at: Date.now() }),
    tagsChanged(connection, { added, removed }) {
      tagChanges.push({ connection: connection.id, user: connection.user, added, removed, node: nodeId, at: Date.now() });
      if (tagChanges.length > TAIL_TAG_CHANGES) tagChanges.shift();
    },
  };

  return {
    observer,
    watch(watched) {
      hub = watched;
    },
    report() {
      const now = Date.now();
      const totals = snapshotTotals(stats.totals());
      const seconds = Math.max(0.001, (now - previous.at) / 1000);
      const rate = (current: number, before: number) => Math.max(0, current - before) / seconds;
      const memory = process.memoryUsage();
      const dropsPerSec = zeroCounts(DROP_REASONS);
      for (const reason of DROP_REASONS) dropsPerSec[reason] = rate(totals.drops[reason], previous.totals.drops[reason]);
      const report: NodeReport = {
        node: nodeId,
        version,
        uptime: Math.round((now - startedAt) / 1000),
        connections: hub?.size ?? 0,
        users: hub?.userCount ?? 0,
        pushesPerSec: rate(totals.pushes, previous.totals.pushes),
        deliveriesPerSec: rate(totals.deliveries, previous.totals.deliveries),
        acksPerSec: rate(totals.acks, previous.totals.acks),
        dropsPerSec,
        eventLoopLagMs: {
          p50: nsToMs(loopDelay.percentile(50)),
          p99: nsToMs(loopDelay.percentile(99)),
          max: nsToMs(loopDelay.max),
        },
        memory: { rss: memory.rss, heapUsed: memory.heapUsed },
        latencyCounts: latency,
        mostBuffered: hub ? mostBuffered(hub, nodeId) : [],
        recentPushes: tail.take(nodeId),
        slowDeliveries: options.slowDeliveries(SLOW_DELIVERIES),
        recentTagChanges: tagChanges.reverse(),
        at: now,
      };
      tagChanges = [];
      loopDelay.reset();
      latency = emptyLatencyCounts();
      previous = { at: now, totals };
      return report;
    },
    stop: () => loopDelay.disable(),
  };
}

/**
 * The latest pushes of the second, in a ring: sampling by recency keeps the tail current. Only
 * what the fan-out already knows is kept per push; the entry is built once a second.
 */
function createPushTail() {
  let ring: FannedOut[] = [];
  let next = 0;
  return {
    add(entry: FannedOut) {
      if (ring.length < TAIL_PUSHES) ring.push(entry);
      else ring[next] = entry;
      next = (next + 1) % TAIL_PUSHES;
    },
    /** The second's entries, newest first; the ring starts empty again. */
    take(nodeId: string): PushTailEntry[] {
      const entries = ring
        .sort((a, b) => b.at - a.at)
        .map(({ push, recipients, durationMs, at }): PushTailEntry => ({ id: push.id, target: destinationOf(push.to), recipients, fanoutMs: durationMs, node: nodeId, at }));
      ring = [];
      next = 0;
      return entries;
    },
  };
}

/** The node's connections with the most buffered bytes (above 0), most first. */
function mostBuffered(hub: Hub, nodeId: string): BufferedConnection[] {
  const top: BufferedConnection[] = [];
  hub.forEachConnection((connection, buffered) => {
    if (buffered === 0 || (top.length === MOST_BUFFERED && buffered <= top[top.length - 1]!.bufferedAmount)) return;
    top.push({ id: connection.id, user: connection.user, node: nodeId, bufferedAmount: buffered, connectedAt: connection.connectedAt });
    top.sort((a, b) => b.bufferedAmount - a.bufferedAmount);
    if (top.length > MOST_BUFFERED) top.pop();
  });
  return top;
}

/** Copies the counters: the collector's drop record is live. */
function snapshotTotals(totals: StatsTotals): StatsTotals {
  return { ...totals, drops: { ...totals.drops } };
}

/** The monitor reports nanoseconds, and NaN before its first sample. */
function nsToMs(ns: number): number {
  return Number.isFinite(ns) ? Math.round(ns / 1e4) / 100 : 0;
}
