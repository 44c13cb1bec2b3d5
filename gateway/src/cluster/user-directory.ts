import type { Bus, SignalBodyParser } from '../bus/bus.ts';
import { isBoundedString, isRecord } from '../validation.ts';
import type { ConnectionInfo } from '../protocol.ts';
import { createClusterQuery } from './cluster-query.ts';
import type { Holders } from './interest-directory.ts';

export interface ClusterUserConnections {
  connections: Array<ConnectionInfo & { node: string }>;
  /** False when a live peer did not answer within the wait, or the peer list was not settled. */
  complete: boolean;
}

export interface UserDirectory {
  /**
   * A user's connections on every node: this node's at once, those of the peers holding the user's
   * stream within `waitMs` (only they can have any).
   */
  lookup(user: string, holders: Holders, waitMs: number): Promise<ClusterUserConnections>;
  stop(): void;
}

/** Longest user id, connection id, tag or address in a peer's answer, characters. */
const MAX_TEXT = 1024;
/** A user's connections on one node are capped by the per-user limit; this bounds a forged answer. */
const MAX_CONNECTIONS = 10_000;
const MAX_TAGS = 64;

const parseQuestion: SignalBodyParser<{ user: string }> = (body) =>
  isRecord(body) && isBoundedString(body.user, MAX_TEXT) ? { ok: true, value: { user: body.user } } : { ok: false, error: 'a lookup needs a user' };

function connectionInfo(value: unknown): ConnectionInfo | undefined {
  if (!isRecord(value)) return undefined;
  const { id, tags, connectedAt, bufferedAmount, remote } = value;
  if (!isBoundedString(id, MAX_TEXT) || typeof remote !== 'string' || remote.length > MAX_TEXT) return undefined;
  if (!Array.isArray(tags) || tags.length > MAX_TAGS || !tags.every((tag) => isBoundedString(tag, MAX_TEXT))) return undefined;
  if (typeof connectedAt !== 'number' || !Number.isFinite(connectedAt)) return undefined;
  if (typeof bufferedAmount !== 'number' || !Number.isFinite(bufferedAmount) || bufferedAmount < 0) return undefined;
  return { id, tags: tags as string[], connectedAt, bufferedAmount, remote };
}

const parseAnswer: SignalBodyParser<ConnectionInfo[]> = (body) => {
  if (!Array.isArray(body) || body.length > MAX_CONNECTIONS) return { ok: false, error: 'a lookup answer must be a list of connections' };
  const connections: ConnectionInfo[] = [];
  for (const entry of body) {
    const connection = connectionInfo(entry);
    if (!connection) return { ok: false, error: 'a lookup answer must be a list of connections' };
    connections.push(connection);
  }
  return { ok: true, value: connections };
};

/** Answers `GET /api/users/:user` for the whole cluster by asking every peer over the bus. */
export function createUserDirectory(nodeId: string, bus: Bus, local: (user: string) => ConnectionInfo[], settled: () => boolean): UserDirectory {
  const query = createClusterQuery({ nodeId, bus, topic: 'users', answer: ({ user }) => local(user), parseQuestion, parseAnswer, settled });
  return {
    async lookup(user, holders, waitMs) {
      const connections = local(user).map((connection) => ({ ...connection, node: nodeId }));
      const { answers, complete } = await query.ask({ user }, holders.peers, waitMs);
      for (const { node, answer } of answers) connections.push(...answer.map((connection) => ({ ...connection, node })));
      return { connections, complete: complete && holders.certain };
    },
    stop: query.stop,
  };
}
