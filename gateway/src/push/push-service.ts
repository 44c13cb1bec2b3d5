import { randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.ts';
import type { Hub } from '../hub/hub.ts';
import type { PushResult } from '../protocol.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import { epochMs } from '../telemetry/clock.ts';
import { SpanAttributes } from '../telemetry/span-attributes.ts';
import { tracePublish, tracePublishBatch, type Publication } from '../telemetry/tracing.ts';
import { createBusHandover } from './bus-handover.ts';
import { createRecipientCount, type PushCluster } from './recipient-count.ts';
import { createIdempotencyCache } from './idempotency-cache.ts';
import { envelopeOf } from './push-envelope.ts';
import type { ValidPush } from './push-validation.ts';
import { receiveRemotePushes } from './remote-pushes.ts';
import { createStreamContinuity } from './stream-continuity.ts';
import type { StreamInterest } from '../cluster/stream-interest.ts';
import type { PushInspector } from '../inspector/push-inspector.ts';

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
  /** Cluster-wide counts: receipts from the other nodes, waited for at most `waitMs`. */
  cluster?: PushCluster;
  /** The streams this node watches: pushes of theirs that the bus dropped are read back from the history. */
  interest?: StreamInterest;
  /** The push inspector, told of each push this node accepts; absent when it is off. */
  inspector?: Pick<PushInspector, 'accepted'>;
}

type Via = { trace?: Context; publication?: Publication };

/**
 * Accepts pushes on this node: delivers to local connections at once and hands the push to the
 * bus for the other nodes; delivers what other nodes publish (remote-pushes.ts).
 */
export function createPushService(options: PushServiceOptions): PushService {
  const { nodeId, hub, bus, observer, logger } = options;
  const traceClients = options.traceClients ?? false;
  const seen = createIdempotencyCache<PushResult>(options.idempotencyMs);
  const handover = createBusHandover({ nodeId, bus, observer, logger, idempotencyMs: options.idempotencyMs });
  const count = createRecipientCount(options.cluster, logger);
  const interest = options.interest;
  const continuity = interest
    ? createStreamContinuity({ bus, history: bus.history, watches: (stream) => interest.holds(stream), deliver: (message) => hub.deliver(message.push, message.positions), logger })
    : undefined;
  if (continuity) interest!.onChange(({ stream, held }) => void (held || continuity.forget(stream)));
  const unsubscribeRemote = receiveRemotePushes({ nodeId, hub, bus, observer, logger, receipts: options.cluster?.receipts, continuity });
  const unsubscribe = () => {
    unsubscribeRemote();
    continuity?.stop();
  };
  const spanAttributes = { [SpanAttributes.node]: nodeId, [SpanAttributes.bus]: bus.kind };

  /**
   * Hands the push to the bus, which appends it to its streams, then delivers it locally with the
   * positions it was given, under `publication`'s trace. Local delivery does not depend on the
   * bus: a node cut off from it still serves its own connections, with frames that carry no
   * positions (nothing was appended), and the API answers 503.
   */
  const publish = async (request: ValidPush, id: string, acceptedAt: number, { traceparent, headers }: Publication): Promise<number> => {
    const push = envelopeOf(request, id, acceptedAt, traceparent, traceClients);
    options.inspector?.accepted(push);
    return handover.handOver(push, headers, request.id !== undefined, (positions) => {
      // Delivered here already: the node does not read it back should its own copy from the bus not come.
      continuity?.seen({ origin: nodeId, push, headers, positions });
      return hub.deliver(push, positions);
    });
  };

  /** The retry of a push that reached this node's connections but not the bus: publish only. */
  const republish = async (id: string): Promise<PushResult | undefined> => {
    const pending = await handover.unpublished(id);
    if (!pending) return undefined;
    await handover.handOver({ ...pending.push, publishedAt: epochMs() }, pending.headers, true, () => pending.local);
    const others = count.start(id, pending.push.to);
    handover.published(id);
    observer.pushAccepted(pending.push.to);
    return count.total(id, pending.local, others);
  };

  const accept = async (request: ValidPush, id: string, via: Via): Promise<PushResult> => {
    const acceptedAt = epochMs();
    const local = via.publication
      ? await publish(request, id, acceptedAt, via.publication)
      : await tracePublish(via.trace, { id, to: request.to }, spanAttributes, (publication) => publish(request, id, acceptedAt, publication));
    // Whom to wait for is decided once the push is appended: a node whose interest its peers
    // acknowledged before that hears the push and is waited for (receipts that beat this are kept).
    const others = count.start(id, request.to);
    // Counted once the push is answered 202: a push the bus refused counts as a bus error only.
    observer.pushAccepted(request.to);
    return count.total(id, local, others);
  };

  /** A push with a caller id: answered once per idempotency window, retried by publishing only. */
  const pushOnce = async (request: ValidPush & { id: string }, via: Via): Promise<PushOutcome> => {
    const previous = seen.get(request.id);
    if (previous) return { ...(await previous), replayed: true };
    const retried = handover.unpublished(request.id) ? republish(request.id) : undefined;
    const result = retried ? retried.then((done) => done ?? accept(request, request.id, via)) : accept(request, request.id, via);
    seen.set(request.id, result);
    try {
      return { ...(await result), replayed: false };
    } catch (error) {
      // Not published: the retry under the same id publishes (and delivers only what is missing).
      seen.delete(request.id);
      throw error;
    }
  };

  return {
    async push(request, via = {}) {
      if (request.id === undefined) return { ...(await accept(request, randomUUID(), via)), replayed: false };
      return pushOnce({ ...request, id: request.id }, via);
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
