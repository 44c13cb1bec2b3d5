import type { Logger } from 'pino';
import { PushNotPublishedError, type Bus, type StreamPositions } from '../bus/bus.ts';
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
   * Hands a push to the bus, then has `deliver` reach this node's connections: with the positions
   * the bus gave it, or with none when the bus refused it. Resolves with `deliver`'s count. On
   * failure it throws `PushNotPublishedError` (after delivering) and, with `keep`, remembers the
   * push so that a retry under its id only publishes.
   */
  handOver(push: PushEnvelope, headers: Record<string, string>, keep: boolean, deliver: (positions: StreamPositions) => number): Promise<number>;
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
    async handOver(push, headers, keep, deliver) {
      let positions: StreamPositions;
      try {
        positions = await bus.publish({ origin: nodeId, push, headers });
      } catch (error) {
        const local = deliver({});
        observer.pushFailed('bus');
        logger.warn({ push: push.id, err: error }, 'push could not be handed to the bus');
        if (keep) unpublished.set(push.id, Promise.resolve({ push, headers, local }));
        const reason = error instanceof Error ? error.message : String(error);
        throw new PushNotPublishedError(reason, push.id, local);
      }
      return deliver(positions);
    },
    unpublished: (id) => unpublished.get(id),
    published: (id) => unpublished.delete(id),
  };
}
