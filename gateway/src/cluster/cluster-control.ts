import type { Bus, SignalBodyParser } from '../bus/bus.ts';
import { isBoundedString, isCount, isRecord } from '../validation.ts';
import type { Hub } from '../hub/hub.ts';
import { userStream } from '../push/streams.ts';
import { createClusterQuery } from './cluster-query.ts';
import type { Holders } from './interest-directory.ts';

/** Which connections to close: a user's (all of them) or one connection by id. */
export type DisconnectOrder = { user: string } | { connection: string };

export interface ClusterDisconnect {
  disconnected: number;
  /** False when a live peer did not answer within the wait: more connections may have closed. */
  complete: boolean;
}

export interface ClusterControl {
  /** Closes the matching connections (4001) on every node. */
  disconnect(order: DisconnectOrder, peers: string[], waitMs: number): Promise<ClusterDisconnect>;
  stop(): void;
}

/** Longest user or connection id in an order, characters. */
const MAX_ID = 1024;

const parseOrder: SignalBodyParser<DisconnectOrder> = (body) => {
  if (isRecord(body) && isBoundedString(body.user, MAX_ID)) return { ok: true, value: { user: body.user } };
  if (isRecord(body) && isBoundedString(body.connection, MAX_ID)) return { ok: true, value: { connection: body.connection } };
  return { ok: false, error: 'a disconnect order needs a user or a connection' };
};

const parseCount: SignalBodyParser<number> = (body) =>
  isCount(body) ? { ok: true, value: body } : { ok: false, error: 'a disconnect answer must be a count' };

/**
 * The live peers that may hold an order's connections: a user's are only on the nodes holding the
 * user's stream, a connection id can be on any of them.
 */
export function peersHolding(order: { user: string } | { connection: string }, peers: string[], holders: (streams: readonly string[]) => Holders): Holders {
  if (!('user' in order)) return { peers, certain: true };
  const held = holders([userStream(order.user)]);
  return { ...held, peers: held.peers.filter((peer) => peers.includes(peer)) };
}

/** Operator actions that must reach connections wherever they are held. */
export function createClusterControl(nodeId: string, bus: Bus, hub: Hub, settled: () => boolean, holders: (streams: readonly string[]) => Holders): ClusterControl {
  const local = (order: DisconnectOrder): number =>
    'user' in order ? hub.disconnectUser(order.user) : hub.disconnectConnection(order.connection) ? 1 : 0;
  const query = createClusterQuery({ nodeId, bus, topic: 'control.disconnect', answer: local, parseQuestion: parseOrder, parseAnswer: parseCount, settled });
  return {
    async disconnect(order, peers, waitMs) {
      let disconnected = local(order);
      // A connection id lives on one node: once found here, nobody else needs asking.
      if ('connection' in order && disconnected > 0) return { disconnected, complete: true };
      const asked = peersHolding(order, peers, holders);
      const { answers, complete } = await query.ask(order, asked.peers, waitMs);
      for (const { answer } of answers) disconnected += answer;
      return { disconnected, complete: complete && asked.certain };
    },
    stop: query.stop,
  };
}
