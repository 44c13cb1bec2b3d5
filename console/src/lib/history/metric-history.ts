import type { ConsoleSnapshot } from '@wsgw/gateway/protocol';
import { createRingBuffer } from './ring-buffer.ts';

/** One second of the cluster as the charts need it; null fields mark a gap (no snapshot that second). */
export interface HistoryPoint {
  /** Epoch seconds, uPlot's time unit. */
  time: number;
  connections: number | null;
  pushesPerSec: number | null;
  deliveriesPerSec: number | null;
  acksPerSec: number | null;
  /** Drops of every reason. */
  dropsPerSec: number | null;
  /** Push → ack percentiles of that second, ms. */
  latencyP50: number | null;
  latencyP95: number | null;
  latencyP99: number | null;
  /** Push → ack observations of that second per latency bucket. */
  latencyCounts: readonly number[] | null;
  nodeConnections: ReadonlyMap<string, number> | null;
}

/** The history as columns (oldest first), the shape uPlot draws. */
export interface HistoryColumns {
  times: number[];
  connections: (number | null)[];
  pushesPerSec: (number | null)[];
  deliveriesPerSec: (number | null)[];
  acksPerSec: (number | null)[];
  dropsPerSec: (number | null)[];
  latencyP50: (number | null)[];
  latencyP95: (number | null)[];
  latencyP99: (number | null)[];
  latencyCounts: (readonly number[] | null)[];
  /** Connections per node, nodes sorted by name; null where the node did not report. */
  nodes: Array<{ node: string; connections: (number | null)[] }>;
}

export interface MetricHistory {
  /** Adds one snapshot; returns false (and changes nothing) for a snapshot not newer than the last. */
  append(snapshot: ConsoleSnapshot): boolean;
  readonly length: number;
  columns(): HistoryColumns;
  clear(): void;
}

/** A silence longer than this (ms) between snapshots is drawn as a gap rather than a straight line. */
const GAP_MS = 2500;

const gapPoint = (time: number): HistoryPoint => ({
  time,
  connections: null,
  pushesPerSec: null,
  deliveriesPerSec: null,
  acksPerSec: null,
  dropsPerSec: null,
  latencyP50: null,
  latencyP95: null,
  latencyP99: null,
  latencyCounts: null,
  nodeConnections: null,
});

export function pointFromSnapshot(snapshot: ConsoleSnapshot): HistoryPoint {
  const { totals, latency } = snapshot;
  const drops = Object.values(totals.dropsPerSec ?? {}).reduce((sum, n) => sum + n, 0);
  return {
    time: snapshot.at / 1000,
    connections: totals.connections,
    pushesPerSec: totals.pushesPerSec,
    deliveriesPerSec: totals.deliveriesPerSec,
    acksPerSec: totals.acksPerSec,
    dropsPerSec: drops,
    latencyP50: latency.lastSecond.p50,
    latencyP95: latency.lastSecond.p95,
    latencyP99: latency.lastSecond.p99,
    latencyCounts: latency.counts,
    nodeConnections: new Map(snapshot.nodes.map((n) => [n.node, n.connections])),
  };
}

/**
 * The last `capacity` seconds of snapshots (300 = five minutes at one a second), kept in a ring
 * buffer: each snapshot is appended once and the oldest falls off, nothing is recomputed from
 * earlier snapshots. Columns are built on demand and cached until the next append.
 */
export function createMetricHistory(capacity = 300): MetricHistory {
  const points = createRingBuffer<HistoryPoint>(capacity);
  let lastAt: number | undefined;
  let cached: HistoryColumns | undefined;

  return {
    append(snapshot) {
      // The feed re-sends the current second to a reconnecting viewer: count each second once.
      if (lastAt !== undefined && snapshot.at <= lastAt) return false;
      if (lastAt !== undefined && snapshot.at - lastAt > GAP_MS) points.push(gapPoint((lastAt + 1000) / 1000));
      points.push(pointFromSnapshot(snapshot));
      lastAt = snapshot.at;
      cached = undefined;
      return true;
    },
    get length() {
      return points.length;
    },
    columns() {
      cached ??= toColumns(points.toArray());
      return cached;
    },
    clear() {
      points.clear();
      lastAt = undefined;
      cached = undefined;
    },
  };
}

function toColumns(points: HistoryPoint[]): HistoryColumns {
  const pick = <K extends keyof HistoryPoint>(key: K) => points.map((p) => p[key]);
  const names = new Set<string>();
  for (const point of points) for (const node of point.nodeConnections?.keys() ?? []) names.add(node);
  return {
    times: pick('time') as number[],
    connections: pick('connections'),
    pushesPerSec: pick('pushesPerSec'),
    deliveriesPerSec: pick('deliveriesPerSec'),
    acksPerSec: pick('acksPerSec'),
    dropsPerSec: pick('dropsPerSec'),
    latencyP50: pick('latencyP50'),
    latencyP95: pick('latencyP95'),
    latencyP99: pick('latencyP99'),
    latencyCounts: pick('latencyCounts'),
    nodes: [...names].sort().map((node) => ({
      node,
      connections: points.map((p) => p.nodeConnections?.get(node) ?? null),
    })),
  };
}
