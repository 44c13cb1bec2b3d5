import { randomUUID } from 'node:crypto';
import type { Bus } from '../bus/bus.ts';
import type { ConnectionInfo } from '../protocol.ts';

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

interface Query {
  query: string;
  user: string;
}

interface Answer {
  query: string;
  to: string;
  connections: ConnectionInfo[];
}

/** Answers `GET /api/users/:user` for the whole cluster by asking every peer over the bus. */
export function createUserDirectory(nodeId: string, bus: Bus, local: (user: string) => ConnectionInfo[]): UserDirectory {
  const pending = new Map<string, (from: string, connections: ConnectionInfo[]) => void>();

  const unsubscribe = bus.onSignal((signal) => {
    if (signal.topic === 'users.query' && signal.origin !== nodeId) {
      const { query, user } = signal.body as Query;
      const answer: Answer = { query, to: signal.origin, connections: local(user) };
      bus.signal({ origin: nodeId, topic: 'users.answer', body: answer }).catch(() => undefined);
    } else if (signal.topic === 'users.answer') {
      const answer = signal.body as Answer;
      if (answer.to === nodeId) pending.get(answer.query)?.(signal.origin, answer.connections);
    }
  });

  return {
    async lookup(user, peers, waitMs) {
      const connections = local(user).map((connection) => ({ ...connection, node: nodeId }));
      if (peers.length === 0) return { connections, complete: true };
      const query = randomUUID();
      const waiting = new Set(peers);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        pending.set(query, (from, found) => {
          if (!waiting.delete(from)) return;
          connections.push(...found.map((connection) => ({ ...connection, node: from })));
          if (waiting.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
        bus.signal({ origin: nodeId, topic: 'users.query', body: { query, user } satisfies Query }).catch(() => resolve());
      });
      pending.delete(query);
      return { connections, complete: waiting.size === 0 };
    },
    stop: unsubscribe,
  };
}
