import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.ts';
import type { Receipts } from '../cluster/receipts.ts';
import type { Hub } from '../hub/hub.ts';
import { epochMs } from '../telemetry/clock.ts';
import type { StreamContinuity } from './stream-continuity.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';

export interface RemotePushesOptions {
  nodeId: string;
  hub: Hub;
  bus: Bus;
  observer: GatewayObserver;
  logger: Logger;
  /** Where the count of each delivery goes back to the accepting node; absent on a lone node. */
  receipts?: Receipts;
  /** Told of every push the bus hands the node, to notice the ones that did not arrive. */
  continuity?: StreamContinuity;
}

/**
 * Delivers what the other nodes publish to this node's connections, and tells the accepting node
 * how many it reached. This node's own pushes come back over the bus too: they were delivered
 * here already. Returns the unsubscribe function.
 */
export function receiveRemotePushes(options: RemotePushesOptions): () => void {
  const { nodeId, hub, observer, logger, receipts, continuity } = options;
  return options.bus.subscribe((message) => {
    observer.busPushReceived();
    continuity?.seen(message);
    if (message.origin === nodeId) return;
    observer.remotePushReceived(epochMs() - message.push.publishedAt);
    const recipients = hub.deliver(message.push, message.positions);
    receipts?.send(message.push.id, message.origin, recipients);
    logger.debug({ push: message.push.id, origin: message.origin, recipients }, 'remote push delivered');
  });
}
