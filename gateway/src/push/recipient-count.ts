import type { Logger } from 'pino';
import type { ClusterCount, Receipts } from '../cluster/receipts.ts';
import type { PushResult } from '../protocol.ts';

/** What the push service needs of the cluster to count a push's recipients everywhere. */
export interface PushCluster {
  receipts: Receipts;
  peers(): string[];
  /** Whether `peers()` can be trusted to be complete (see `Membership.settled`). */
  settled(): boolean;
  /** How long a push waits for the other nodes' receipts, ms. */
  waitMs: number;
}

export interface RecipientCount {
  /** Starts listening for the other nodes' receipts of a push, before they can arrive. */
  start(id: string): Promise<ClusterCount> | undefined;
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
    start: (id) => cluster?.receipts.collect(id, cluster.peers(), cluster.waitMs),
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
