import { randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { BusUnavailableError, type Bus } from '../bus/bus.ts';
import type { Hub } from '../hub/hub.ts';
import type { PushResult } from '../protocol.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import { epochMs } from '../telemetry/clock.ts';
import { SpanAttributes } from '../telemetry/span-attributes.ts';
import { tracePublish, tracePublishBatch, type Publication } from '../telemetry/tracing.ts';
import type { Receipts } from '../cluster/receipts.ts';
import { createIdempotencyCache } from './idempotency-cache.ts';
import type { PushEnvelope } from './push-envelope.ts';
import type { ValidPush } from './push-validation.ts';

export interface PushOutcome extends PushResult {
  /** True when the id was seen within the idempotency window and nothing was delivered again. */
  replayed: boolean;
}

export interface PushService {
  /**
   * `trace` is the caller's trace context (the API route's server span), when traced; inside a
   * batch, `publication` is the batch's publish span instead.
   */
  push(request: ValidPush, via?: { trace?: Context; publication?: Publication }): Promise<PushOutcome>;
  /**
   * Runs `work` (`count` pushes, each given the batch's `publication`) with socket writes held, so
   * each socket gets one write for all, under one publish span.
   */
  batch<T>(count: number, work: (publication: Publication) => Promise<T>, trace?: Context): Promise<T>;
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
  /** Cluster-wide counts: receipts from the other nodes, waited for at most `clusterWaitMs`. */
  cluster?: { receipts: Receipts; peers(): string[]; waitMs: number };
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
    observer.remotePushReceived(epochMs() - message.push.publishedAt);
    const recipients = hub.deliver(message.push);
    options.cluster?.receipts.send(message.push.id, message.origin, recipients);
    logger.debug({ push: message.push.id, origin: message.origin, recipients }, 'remote push delivered');
  });

  const spanAttributes = { [SpanAttributes.node]: nodeId, [SpanAttributes.bus]: bus.kind };

  /** Delivers locally and hands the push to the bus, under `publication`'s trace. */
  const publish = async (request: ValidPush, id: string, acceptedAt: number, { traceparent, headers }: Publication): Promise<number> => {
    const payload = JSON.stringify(request.data);
    const push: PushEnvelope = { id, ts: Math.floor(acceptedAt), acceptedAt, publishedAt: epochMs(), to: request.to, payload, trace: traceparent, traceClients };
    const delivered = hub.deliver(push);
    try {
      await bus.publish({ origin: nodeId, push, headers });
    } catch (error) {
      observer.pushFailed('bus');
      logger.warn({ push: id, err: error }, 'push could not be handed to the bus');
      throw error;
    }
    return delivered;
  };

  const accept = async (request: ValidPush, id: string, via: { trace?: Context; publication?: Publication }): Promise<PushResult> => {
    // Refused before anything is delivered, so the caller's retry (same id) is a clean one.
    const health = bus.health();
    if (!health.connected) {
      observer.pushFailed('bus');
      throw new BusUnavailableError(health.reason ?? 'not connected');
    }
    const acceptedAt = epochMs();
    observer.pushAccepted(request.to);
    // Listen for the other nodes' receipts before they can arrive.
    const peers = options.cluster?.peers() ?? [];
    const others = options.cluster?.receipts.collect(id, peers, options.cluster.waitMs);
    const local = via.publication
      ? await publish(request, id, acceptedAt, via.publication)
      : await tracePublish(via.trace, { id, to: request.to }, spanAttributes, (publication) => publish(request, id, acceptedAt, publication));
    const cluster = (await others) ?? { recipients: 0, complete: true };
    const recipients = local + cluster.recipients;
    logger.debug({ push: id, recipients, complete: cluster.complete }, 'push accepted');
    return cluster.complete ? { id, recipients } : { id, recipients, complete: false };
  };

  return {
    async push(request, via = {}) {
      if (request.id === undefined) return { ...(await accept(request, randomUUID(), via)), replayed: false };
      const previous = seen.get(request.id);
      if (previous) return { ...(await previous), replayed: true };
      const result = accept(request, request.id, via);
      seen.set(request.id, result);
      try {
        return { ...(await result), replayed: false };
      } catch (error) {
        // A push that failed was not delivered: let the caller retry it under the same id.
        seen.delete(request.id);
        throw error;
      }
    },
    async batch(count, work, trace) {
      const release = hub.holdWrites();
      try {
        return await tracePublishBatch(trace, count, spanAttributes, work);
      } finally {
        release();
      }
    },
    stop: unsubscribe,
  };
}
