import { DROP_REASONS, type DropReason, type PushConnectionRecord, type PushInspection, type PushNodeRecord } from '@wsgw/gateway/protocol';
import type { WaterfallStage } from '../deliveries/waterfall.ts';
import { connectionOutcome, type ConnectionOutcome } from './connection-outcome.ts';

/** One connection's row: the wait from its node's fan-out start to the write, then the write to the ack. */
export interface ConnectionLane {
  record: PushConnectionRecord;
  outcome: ConnectionOutcome;
  write: WaterfallStage | undefined;
  ack: WaterfallStage | undefined;
}

/** One node's rows: its fan-out, then each connection it lists. */
export interface NodeLane {
  record: PushNodeRecord;
  fanout: WaterfallStage;
  /** Drops by reason, only the reasons that happened. */
  drops: Array<{ reason: DropReason; count: number }>;
  connections: ConnectionLane[];
  /** Matched connections the node does not list one by one (it listed only the slowest). */
  unlisted: number;
}

/** A push's life across the cluster, every offset in ms from its acceptance. */
export interface PushWaterfall {
  publish: WaterfallStage;
  /** Nodes in the order they started their fan-out. */
  nodes: NodeLane[];
  /** Acceptance → the last instant recorded anywhere (a write, an ack, the end of a fan-out), ms. */
  totalMs: number;
}

/**
 * Lays out an inspection as a waterfall. Instants come from different nodes' clocks, so a stage can
 * start before the one it follows; the bars are clamped (see `stageBar`), the figures are not.
 */
export function pushWaterfall(inspection: PushInspection): PushWaterfall {
  const { acceptedAt } = inspection;
  const since = (at: number) => at - acceptedAt;
  const publish: WaterfallStage = { label: 'accepted → published', startMs: 0, durationMs: since(inspection.publishedAt) };
  let totalMs = publish.durationMs;
  const nodes = [...inspection.nodes]
    .sort((a, b) => a.fanoutAt - b.fanoutAt)
    .map((node) => {
      const lane = nodeLane(node, acceptedAt);
      totalMs = Math.max(totalMs, lane.fanout.startMs + lane.fanout.durationMs, node.writeLatency?.max ?? 0, node.ackLatency?.max ?? 0);
      for (const { write, ack } of lane.connections) for (const stage of [write, ack]) if (stage) totalMs = Math.max(totalMs, stage.startMs + stage.durationMs);
      return lane;
    });
  return { publish, nodes, totalMs };
}

function nodeLane(node: PushNodeRecord, acceptedAt: number): NodeLane {
  const fanoutStart = node.fanoutAt - acceptedAt;
  const connections = node.connections.map((record): ConnectionLane => {
    const outcome = connectionOutcome(record, acceptedAt);
    const writtenMs = outcome.kind === 'unwritten' ? undefined : outcome.writtenMs;
    const write = writtenMs === undefined ? undefined : { label: 'fan-out start → written', startMs: fanoutStart, durationMs: writtenMs - fanoutStart };
    // A truncated node's slowest acks may come without their write instant: the bar then starts at the fan-out.
    const ackFrom = writtenMs ?? fanoutStart;
    const ackLabel = writtenMs === undefined ? 'fan-out start → acked' : 'written → acked';
    const ack = outcome.kind === 'acked' ? { label: ackLabel, startMs: ackFrom, durationMs: outcome.ackedMs - ackFrom } : undefined;
    return { record, outcome, write, ack };
  });
  const drops = DROP_REASONS.map((reason) => ({ reason, count: node.dropped[reason] ?? 0 })).filter((d) => d.count > 0);
  return {
    record: node,
    fanout: { label: `fan-out on ${node.node}`, startMs: fanoutStart, durationMs: node.fanoutMs },
    drops,
    connections,
    unlisted: Math.max(0, node.matched - node.connections.length),
  };
}
