import type { Bus } from '../bus/bus.ts';
import type { ConnectionInfo } from '../protocol.ts';
import { createClusterQuery } from './cluster-query.ts';

export interface ClusterUserConnections {
  connections: Array<ConnectionInfo & { node: string }>;
  /** False when a live peer did not answer within the wait. */
  complete: boolean;
}

export interface UserDirectory {
  /** A user's connections on every node: this node's at once, the peers' within `waitMs`. */
  lookup(user: string, peers: string[], waitMs: number): Promise<ClusterUserConnections>;
  stop(): void;
}

/** Answers `GET /api/users/:user` for the whole cluster by asking every peer over the bus. */
export function createUserDirectory(nodeId: string, bus: Bus, local: (user: string) => ConnectionInfo[]): UserDirectory {
  const query = createClusterQuery<{ user: string }, ConnectionInfo[]>(nodeId, bus, 'users', ({ user }) => local(user));
  return {
    async lookup(user, peers, waitMs) {
      const connections = local(user).map((connection) => ({ ...connection, node: nodeId }));
      const { answers, complete } = await query.ask({ user }, peers, waitMs);
      for (const { node, answer } of answers) connections.push(...answer.map((connection) => ({ ...connection, node })));
      return { connections, complete };
    },
    stop: query.stop,
  };
}
