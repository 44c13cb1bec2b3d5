import { randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { PushNotPublishedError, type Bus } from '../bus/bus.ts';
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
  /** `settled`: whether `peers()` can be trusted to be complete (see `Membership.settled`). */
  cluster?: { receipts: Receipts; peers(): string[]; settled(): boolean; waitMs: number };
}

/**
 * Accepts pushes on this node: delivers to local connections at once and hands the push to the
 * bus for the other nodes; delivers what other nodes publish.
 */
export function createPushService(options: PushServiceOptions): PushService {
  const { nodeId, hub, bus, observer, logger } = options;
  const traceClients = options.traceClients ?? false;
  const seen = createIdempotencyCache<PushResult>(options.idempotencyMs);
  /** Pushes with a caller id delivered here but not handed to the bus: a retry publishes only. */
  const unpublished = createIdempotencyCache<{ push: PushEnvelope; headers: Record<string, string>; local: number }>(options.idempotencyMs);

  const unsubscribe = bus.subscribe((message) => {
    if (message.origin === nodeId) return;
    observer.remotePushReceived(epochMs() - message.push.publishedAt);
    const recipients = hub.deliver(message.push);
    options.cluster?.receipts.send(message.push.id, message.origin, recipients);
    logger.debug({ push: message.push.id, origin: message.origin, recipients }, 'remote push delivered');
  });

  const spanAttributes = { [SpanAttributes.node]: nodeId, [SpanAttributes.bus]: bus.kind };

  /** Hands an already delivered push to the bus; a failure keeps it for a retry under its id. */
  const handOver = async (push: PushEnvelope, headers: Record<string, string>, local: number, keep: boolean): Promise<void> => {
    try {
      await bus.publish({ origin: nodeId, push, headers });
    } catch (error) {
      observer.pushFailed('bus');
      logger.warn({ push: push.id, err: error }, 'push could not be handed to the bus');
      if (keep) unpublished.set(push.id, Promise.resolve({ push, headers, local }));
      const reason = error instanceof Error ? error.message : String(error);
      throw new PushNotPublishedError(reason, push.id, local);
    }
  };

  /**
   * Delivers locally, then hands the push to the bus, under `publication`'s trace. Local delivery
   * does not depend on the bus: a node cut off from it still serves its own connections.
   */
  const publish = async (request: ValidPush, id: string, acceptedAt: number, { traceparent, headers }: Publication): Promise<number> => {
    const push: PushEnvelope = {
      id,
      ts: Math.floor(acceptedAt),
      acceptedAt,
      publishedAt: epochMs(),
      to: request.to,
      payload: request.payload,
      trace: traceparent,
      traceClients,
    };
    const delivered = hub.deliver(push);
    await handOver(push, headers, delivered, request.id !== undefined);
    return delivered;
  };

  /** Starts listening for the other nodes' receipts of a push, before they can arrive. */
  const othersOf = (id: string) => options.cluster?.receipts.collect(id, options.cluster.peers(), options.cluster.waitMs);

  /**
   * This node's count plus what the other nodes reported in time. While membership is still being
   * learnt (start-up, a reconnection), peers it has not heard of may have delivered too: the count
   * is then a floor, and says so.
   */
  const total = async (id: string, local: number, others: ReturnType<typeof othersOf>): Promise<PushResult> => {
    const settled = options.cluster?.settled() ?? true;
    const cluster = (await others) ?? { recipients: 0, complete: true };
    const recipients = local + cluster.recipients;
    const complete = cluster.complete && settled;
    logger.debug({ push: id, recipients, complete }, 'push accepted');
    return complete ? { id, recipients } : { id, recipients, complete: false };
  };

  /** The retry of a push that reached this node's connections but not the bus: publish only. */
  const republish = async (id: string): Promise<PushResult | undefined> => {
    const pending = await unpublished.get(id);
    if (!pending) return undefined;
    const others = othersOf(id);
    await handOver({ ...pending.push, publishedAt: epochMs() }, pending.headers, pending.local, true);
    unpublished.delete(id);
    observer.pushAccepted(pending.push.to);
    return total(id, pending.local, others);
  };

  const accept = async (request: ValidPush, id: string, via: { trace?: Context; publication?: Publication }): Promise<PushResult> => {
    const acceptedAt = epochMs();
    const others = othersOf(id);
    const local = via.publication
      ? await publish(request, id, acceptedAt, via.publication)
      : await tracePublish(via.trace, { id, to: request.to }, spanAttributes, (publication) => publish(request, id, acceptedAt, publication));
    // Counted once the push is answered 202: a push the bus refused counts as a bus error only.
    observer.pushAccepted(request.to);
    return total(id, local, others);
  };

  return {
    async push(request, via = {}) {
      if (request.id === undefined) return { ...(await accept(request, randomUUID(), via)), replayed: false };
      const previous = seen.get(request.id);
      if (previous) return { ...(await previous), replayed: true };
      const retried = unpublished.get(request.id) ? republish(request.id) : undefined;
      const result = retried ? retried.then((done) => done ?? accept(request, request.id!, via)) : accept(request, request.id, via);
      seen.set(request.id, result);
      try {
        return { ...(await result), replayed: false };
      } catch (error) {
        // Not published: the retry under the same id publishes (and delivers only what is missing).
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
