import { monitorEventLoopDelay } from 'node:perf_hooks';
import { bufferedBytes } from '../hub/connection.ts';
import type { Hub } from '../hub/hub.ts';
import type { BufferedConnection, DeliveryRecord, NodeReport, PushTailEntry } from '../protocol.ts';
import type { PushEnvelope } from '../push/push-envelope.ts';
import type { StatsCollector, StatsTotals } from '../stats/stats-collector.ts';
import { ignoringObserver, type GatewayObserver } from '../telemetry/gateway-observer.ts';
import { destinationOf } from '../telemetry/tracing.ts';
import { emptyLatencyCounts, latencyBucket } from './latency-buckets.ts';

/** Per node and report: the most buffered connections, the pushes of the tail, the slow deliveries. */
const MOST_BUFFERED = 5;
const TAIL_PUSHES = 10;
const SLOW_DELIVERIES = 10;

interface FannedOut {
  push: PushEnvelope;
  recipients: number;
  durationMs: number;
  at: number;
}

export interface NodeReporter {
  /** Feeds the push → ack buckets and the push tail. */
  readonly observer: GatewayObserver;
  /** This node's figures since the previous call (call it once a second). */
  report(): NodeReport;
  stop(): void;
}

export interface NodeReporterOptions {
  nodeId: string;
  version: string;
  /** Read lazily: the hub is built with this reporter's observer. */
  hub(): Hub;
  stats: StatsCollector;
  /** The node's `count` newest slow deliveries, newest first. */
  slowDeliveries(count: number): DeliveryRecord[];
  startedAt?: number;
}

/**
 * What this node tells the console each second. Everything in it is bounded (a handful of
 * connections, pushes and deliveries), so it costs the same at 10 connections and at 10,000.
 */
export function createNodeReporter(options: NodeReporterOptions): NodeReporter {
  const { nodeId, version, stats } = options;
  const startedAt = options.startedAt ?? Date.now();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let latency = emptyLatencyCounts();
  // The latest pushes of the second, in a ring: sampling by recency keeps the tail current. Only
  // what the fan-out already knows is kept per push; the entry is built once a second.
  let tail: FannedOut[] = [];
  let tailNext = 0;
  let previous: { at: number; totals: StatsTotals } = { at: Date.now(), totals: snapshotTotals(stats.totals()) };

  const observer: GatewayObserver = {
    ...ignoringObserver,
    acked(_connection, _pushId, timing, ackedAt) {
      if (timing) latency[latencyBucket(ackedAt - timing.acceptedAt)]! += 1;
    },
    fannedOut(push, recipients, durationMs) {
      const entry: FannedOut = { push, recipients, durationMs, at: Date.now() };
      if (tail.length < TAIL_PUSHES) tail.push(entry);
      else tail[tailNext] = entry;
      tailNext = (tailNext + 1) % TAIL_PUSHES;
    },
  };

  const mostBuffered = (): BufferedConnection[] => {
    const top: BufferedConnection[] = [];
    for (const connection of options.hub().connections()) {
      const buffered = bufferedBytes(connection);
      if (buffered === 0 || (top.length === MOST_BUFFERED && buffered <= top[top.length - 1]!.bufferedAmount)) continue;
      top.push({ id: connection.id, user: connection.user, node: nodeId, bufferedAmount: buffered, connectedAt: connection.connectedAt });
      top.sort((a, b) => b.bufferedAmount - a.bufferedAmount);
      if (top.length > MOST_BUFFERED) top.pop();
    }
    return top;
  };

  return {
    observer,
    report() {
      const now = Date.now();
      const totals = snapshotTotals(stats.totals());
      const seconds = Math.max(0.001, (now - previous.at) / 1000);
      const rate = (current: number, before: number) => Math.max(0, current - before) / seconds;
      const memory = process.memoryUsage();
      const report: NodeReport = {
        node: nodeId,
        version,
        uptime: Math.round((now - startedAt) / 1000),
        connections: options.hub().size,
        users: options.hub().userCount,
        pushesPerSec: rate(totals.pushes, previous.totals.pushes),
        deliveriesPerSec: rate(totals.deliveries, previous.totals.deliveries),
        acksPerSec: rate(totals.acks, previous.totals.acks),
        dropsPerSec: {
          slow_consumer: rate(totals.drops.slow_consumer, previous.totals.drops.slow_consumer),
          closed: rate(totals.drops.closed, previous.totals.drops.closed),
        },
        eventLoopLagMs: {
          p50: nsToMs(loopDelay.percentile(50)),
          p99: nsToMs(loopDelay.percentile(99)),
          max: nsToMs(loopDelay.max),
        },
        memory: { rss: memory.rss, heapUsed: memory.heapUsed },
        latencyCounts: latency,
        mostBuffered: mostBuffered(),
        recentPushes: [...tail]
          .sort((a, b) => b.at - a.at)
          .map(({ push, recipients, durationMs, at }): PushTailEntry => ({ id: push.id, target: destinationOf(push.to), recipients, fanoutMs: durationMs, node: nodeId, at })),
        slowDeliveries: options.slowDeliveries(SLOW_DELIVERIES),
        at: now,
      };
      loopDelay.reset();
      latency = emptyLatencyCounts();
      tail = [];
      tailNext = 0;
      previous = { at: now, totals };
      return report;
    },
    stop: () => loopDelay.disable(),
  };
}

/** Copies the counters: the collector's drop record is live. */
function snapshotTotals(totals: StatsTotals): StatsTotals {
  return { ...totals, drops: { ...totals.drops } };
}

/** The monitor reports nanoseconds, and NaN before its first sample. */
function nsToMs(ns: number): number {
  return Number.isFinite(ns) ? Math.round(ns / 1e4) / 100 : 0;
}
