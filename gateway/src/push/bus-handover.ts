import type { Logger } from 'pino';
import { PushNotPublishedError, type Bus } from '../bus/bus.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import { createIdempotencyCache } from './idempotency-cache.ts';
import type { PushEnvelope } from './push-envelope.ts';

/** A push delivered on this node that the bus did not take: what its retry hands over. */
export interface UnpublishedPush {
  push: PushEnvelope;
  headers: Record<string, string>;
  /** Connections it reached on this node. */
  local: number;
}

export interface BusHandover {
  /**
   * Hands an already delivered push to the bus. On failure it throws `PushNotPublishedError`
   * and, with `keep`, remembers the push so that a retry under its id only publishes.
   */
  handOver(push: PushEnvelope, headers: Record<string, string>, local: number, keep: boolean): Promise<void>;
  /** The remembered push of a caller id, if its publish failed within the idempotency window. */
  unpublished(id: string): Promise<UnpublishedPush> | undefined;
  /** The retry went through: forget it. */
  published(id: string): void;
}

export interface BusHandoverOptions {
  nodeId: string;
  bus: Bus;
  observer: GatewayObserver;
  logger: Logger;
  idempotencyMs: number;
}

/** The accepting node's side of the bus: publish, and keep what could not be published for its retry. */
export function createBusHandover(options: BusHandoverOptions): BusHandover {
  const { nodeId, bus, observer, logger } = options;
  const unpublished = createIdempotencyCache<UnpublishedPush>(options.idempotencyMs);
  return {
    async handOver(push, headers, local, keep) {
      try {
        await bus.publish({ origin: nodeId, push, headers });
      } catch (error) {
        observer.pushFailed('bus');
        logger.warn({ push: push.id, err: error }, 'push could not be handed to the bus');
        if (keep) unpublished.set(push.id, Promise.resolve({ push, headers, local }));
        const reason = error instanceof Error ? error.message : String(error);
        throw new PushNotPublishedError(reason, push.id, local);
      }
    },
    unpublished: (id) => unpublished.get(id),
    published: (id) => unpublished.delete(id),
  };
}
