import type { Bus } from '../bus/bus.ts';
import { createClusterQuery } from '../cluster/cluster-query.ts';
import type { PushInspection, UserPushes, UserPushRecord } from '../protocol.ts';
import { parsePushAnswer, parsePushQuestion, parseUserAnswer, parseUserQuestion, type NodeInspection } from './node-answers.ts';
import { publicTarget, type PushInspector } from './push-inspector.ts';

/** The push inspector's answers for the whole cluster: this node's records merged with every peer's. */
export interface ClusterInspector {
  /** The push across the cluster; undefined when no node that answered knows it. */
  push(id: string): Promise<{ inspection: PushInspection | undefined; complete: boolean }>;
  /** The user's recent pushes across the cluster, newest first, at most `limit`. */
  userPushes(user: string, limit: number): Promise<UserPushes>;
  stop(): void;
}

export interface ClusterInspectorOptions {
  nodeId: string;
  bus: Bus;
  local: PushInspector;
  /** Every live peer: which nodes a push reached is not known in advance. */
  peers(): string[];
  settled(): boolean;
  waitMs: number;
}

export function createClusterInspector(options: ClusterInspectorOptions): ClusterInspector {
  const { nodeId, bus, local, settled, waitMs } = options;
  const pushes = createClusterQuery({
    nodeId,
    bus,
    topic: 'inspector.push',
    answer: ({ id }) => local.inspect(id) ?? null,
    parseQuestion: parsePushQuestion,
    parseAnswer: parsePushAnswer,
    settled,
  });
  const users = createClusterQuery({
    nodeId,
    bus,
    topic: 'inspector.user',
    answer: ({ user, limit }) => local.userPushes(user, limit),
    parseQuestion: parseUserQuestion,
    parseAnswer: parseUserAnswer,
    settled,
  });
  return {
    async push(id) {
      const mine = local.inspect(id);
      const { answers, complete } = await pushes.ask({ id }, options.peers(), waitMs);
      const parts = [...(mine ? [mine] : []), ...answers.flatMap(({ node, answer }) => (answer ? [answerOf(node, answer)] : []))];
      return { inspection: merge(id, parts, complete), complete };
    },
    async userPushes(user, limit) {
      const mine = local.userPushes(user, limit);
      const { answers, complete } = await users.ask({ user, limit }, options.peers(), waitMs);
      const merged = mergeUserPushes([mine, ...answers.map(({ node, answer }) => answer.map((push) => fromNode(node, push)))]).slice(0, limit);
      return { user, pushes: merged, ...(complete ? {} : { complete: false as const }) };
    },
    stop() {
      pushes.stop();
      users.stop();
    },
  };
}

/** A peer speaks for itself only: the node it names in its records is the one that answered. */
function answerOf(node: string, answer: NodeInspection): NodeInspection {
  return {
    ...answer,
    ...(answer.acceptedBy !== undefined && { acceptedBy: node }),
    ...(answer.node && { node: { ...answer.node, node, connections: answer.node.connections.map((connection) => ({ ...connection, node })) } }),
  };
}

function fromNode(node: string, push: UserPushRecord): UserPushRecord {
  return { ...push, connections: push.connections.map((connection) => ({ ...connection, node })) };
}

/** One inspection from each node's part: the accepting node's view of the push first. */
function merge(id: string, parts: NodeInspection[], complete: boolean): PushInspection | undefined {
  if (parts.length === 0) return undefined;
  const origin = parts.find((part) => part.acceptedBy !== undefined) ?? parts[0]!;
  const nodes = parts.flatMap((part) => (part.node ? [part.node] : []));
  const acceptedBy = origin.acceptedBy ?? '';
  nodes.sort((a, b) => Number(b.node === acceptedBy) - Number(a.node === acceptedBy) || a.node.localeCompare(b.node));
  return {
    id,
    acceptedBy,
    acceptedAt: origin.acceptedAt,
    publishedAt: origin.publishedAt,
    to: publicTarget(origin.to),
    ...(origin.traceId !== undefined && { traceId: origin.traceId }),
    nodes,
    ...(complete ? {} : { complete: false as const }),
  };
}

/** Each push once, with the user's connections on every node, newest first. */
function mergeUserPushes(lists: UserPushRecord[][]): UserPushRecord[] {
  const byId = new Map<string, UserPushRecord>();
  for (const list of lists) {
    for (const push of list) {
      const known = byId.get(push.id);
      if (known) known.connections.push(...push.connections);
      else byId.set(push.id, { ...push, connections: [...push.connections] });
    }
  }
  return [...byId.values()].sort((a, b) => b.acceptedAt - a.acceptedAt);
}
