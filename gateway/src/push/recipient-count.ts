import type { Logger } from 'pino';
import type { ClusterCount, Receipts } from '../cluster/receipts.ts';
import type { Holders } from '../cluster/interest-directory.ts';
import type { PushResult } from '../protocol.ts';
import type { NormalizedTarget } from './push-envelope.ts';
import { streamsOfTarget } from './streams.ts';

/** What the push service needs of the cluster to count a push's recipients everywhere. */
export interface PushCluster {
  receipts: Receipts;
  /** The live peers that hold one of `streams`, and whether that is known for sure (interest-directory.ts). */
  holders(streams: readonly string[]): Holders;
  /** Whether the peer list can be trusted to be complete (see `Membership.settled`). */
  settled(): boolean;
  /** How long a push waits for the other nodes' receipts, ms. */
  waitMs: number;
}

export interface RecipientCount {
  /**
   * Starts listening for the receipts of the peers holding the push's streams (only they hear it),
   * before they can arrive.
   */
  start(id: string, to: NormalizedTarget): Promise<ClusterCount> | undefined;
  /** This node's count plus what the other nodes reported in time. */
  total(id: string, local: number, others: Promise<ClusterCount> | undefined): Promise<PushResult>;
}

/**
 * Cluster-wide recipient counts. While membership is still being learnt (start-up, a
 * reconnection), peers this node has not heard of may have delivered too: the count is then a
 * floor, and says so with `complete: false`.
 */
export function createRecipientCount(cluster: PushCluster | undefined, logger: Logger): RecipientCount {
  return {
    start(id, to) {
      if (!cluster) return undefined;
      const { peers, certain } = cluster.holders(streamsOfTarget(to));
      const counted = cluster.receipts.collect(id, peers, cluster.waitMs);
      return certain ? counted : counted.then((count) => ({ ...count, complete: false }));
    },
    async total(id, local, others) {
      const settled = cluster?.settled() ?? true;
      const counted = (await others) ?? { recipients: 0, complete: true };
      const recipients = local + counted.recipients;
      const complete = counted.complete && settled;
      logger.debug({ push: id, recipients, complete }, 'push accepted');
      return complete ? { id, recipients } : { id, recipients, complete: false };
    },
  };
}
