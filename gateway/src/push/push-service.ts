import { randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.ts';
import type { Hub } from '../hub/hub.ts';
import type { PushResult } from '../protocol.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import { epochMs } from '../telemetry/clock.ts';
import { SpanAttributes } from '../telemetry/span-attributes.ts';
import { tracePublish } from '../telemetry/tracing.ts';
import { createIdempotencyCache } from './idempotency-cache.ts';
import type { PushEnvelope } from './push-envelope.ts';
import type { ValidPush } from './push-validation.ts';

export interface PushOutcome extends PushResult {
  /** True when the id was seen within the idempotency window and nothing was delivered again. */
  replayed: boolean;
}

export interface PushService {
  /** `trace` is the caller's trace context (the API route's server span), when traced. */
  push(request: ValidPush, trace?: Context): Promise<PushOutcome>;
  /** Runs `work` (several pushes) with socket writes held, so each socket gets one write for all. */
  batch<T>(work: () => Promise<T>): Promise<T>;
  /** Stops receiving pushes from other nodes. */
  stop(): void;
}

export interface PushServiceOptions {
  nodeId: string;
  hub: Hub;
  bus: Bus;
  observer: GatewayObserver;
  idempotencyMs: number;
  logger: Logger;
  /** Put the push's traceparent in its frames (`WSGW_TRACE_CLIENTS`). */
  traceClients?: boolean;
}

/**
 * Accepts pushes on this node: delivers to local connections at once and hands the push to the
 * bus for the other nodes; delivers what other nodes publish.
 */
export function createPushService(options: PushServiceOptions): PushService {
  const { nodeId, hub, bus, observer, logger } = options;
  const traceClients = options.traceClients ?? false;
  const seen = createIdempotencyCache<PushResult>(options.idempotencyMs);

  const unsubscribe = bus.subscribe((message) => {
    if (message.origin === nodeId) return;
    const recipients = hub.deliver(message.push);
    logger.debug({ push: message.push.id, origin: message.origin, recipients }, 'remote push delivered');
  });

  const accept = async (request: ValidPush, id: string, parent: Context | undefined): Promise<PushResult> => {
    const acceptedAt = epochMs();
    observer.pushAccepted(request.to);
    const payload = JSON.stringify(request.data);
    const recipients = await tracePublish(parent, { id, to: request.to }, { [SpanAttributes.node]: nodeId, [SpanAttributes.bus]: bus.kind }, async (trace, headers) => {
      const push: PushEnvelope = { id, ts: Math.floor(acceptedAt), acceptedAt, publishedAt: epochMs(), to: request.to, payload, trace, traceClients };
      const delivered = hub.deliver(push);
      try {
        await bus.publish({ origin: nodeId, push, headers });
      } catch (error) {
        observer.pushFailed('bus');
        logger.warn({ push: id, err: error }, 'push could not be handed to the bus');
        throw error;
      }
      return delivered;
    });
    logger.debug({ push: id, recipients }, 'push accepted');
    return { id, recipients };
  };

  return {
    async push(request, trace) {
      if (request.id === undefined) return { ...(await accept(request, randomUUID(), trace)), replayed: false };
      const previous = seen.get(request.id);
      if (previous) return { ...(await previous), replayed: true };
      const result = accept(request, request.id, trace);
      seen.set(request.id, result);
      try {
        return { ...(await result), replayed: false };
      } catch (error) {
        // A push that failed was not delivered: let the caller retry it under the same id.
        seen.delete(request.id);
        throw error;
      }
    },
    async batch(work) {
      const release = hub.holdWrites();
      try {
        return await work();
      } finally {
        release();
      }
    },
    stop: unsubscribe,
  };
}
