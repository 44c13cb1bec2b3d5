import { isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import type { NormalizedTarget, PushEnvelope } from '../push/push-envelope.ts';
import { MESSAGING_SYSTEM, messagingAttributes, SpanAttributes as A, SpanNames } from './span-attributes.ts';
import { traceHeaders, traceparentOf } from './trace-context.ts';
import { requestHeaders } from '../http/request-headers.ts';

/** The gateway's tracer; a no-op until an SDK (otel/register.ts) is loaded. */
export const tracer = trace.getTracer('wsgw');

declare module 'hono' {
  interface ContextVariableMap {
    /** Trace context of the request's server span, handed explicitly to what the route calls. */
    traceContext: Context;
  }
}

/** The target kinds of a push, the `messaging.destination.name` of its spans. */
export function destinationOf(target: NormalizedTarget): string {
  const kinds = [];
  if (target.users.length > 0) kinds.push('user');
  if (target.tags.length > 0) kinds.push('tag');
  if (target.all) kinds.push('all');
  return kinds.join(',');
}

export function recordError(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * A server span around an API route, continuing the caller's `traceparent` so the backend's own
 * trace contains the delivery. `name` is the route template, never the raw URL.
 *
 * The span's context is passed on explicitly (`c.get('traceContext')`) rather than made "active":
 * on Node 20 activating a context runs AsyncLocalStorage, which turns on promise hooks for the
 * whole process and costs every await on the fan-out path.
 */
export function serverSpan(name: string, route: string): MiddlewareHandler {
  return async (c, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, requestHeaders(c));
    const attributes: Attributes = { [A.httpMethod]: c.req.method, [A.httpRoute]: route };
    const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    c.set('traceContext', trace.setSpan(parent, span));
    try {
      await next();
      span.setAttribute(A.httpStatus, c.res.status);
      if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
}

/** The trace context a push is published under: stamped on the push and sent with it on the bus. */
export interface Publication {
  traceparent: string | undefined;
  headers: Record<string, string>;
}

/** Runs `work` inside a `wsgw.publish` span, child of `parent`. */
async function withPublishSpan<T>(parent: Context | undefined, attributes: Attributes, work: (publication: Publication) => Promise<T>): Promise<T> {
  const span = tracer.startSpan(SpanNames.publish, { kind: SpanKind.PRODUCER, attributes }, parent ?? ROOT_CONTEXT);
  const spanContext = span.spanContext();
  const traceparent = isSpanContextValid(spanContext) ? traceparentOf(spanContext) : undefined;
  try {
    return await work({ traceparent, headers: traceparent ? traceHeaders(trace.setSpan(parent ?? ROOT_CONTEXT, span)) : {} });
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The hand-off of one push to the bus, in its own `wsgw.publish` span. */
export function tracePublish<T>(
  parent: Context | undefined,
  push: Pick<PushEnvelope, 'id' | 'to'>,
  attributes: Attributes,
  work: (publication: Publication) => Promise<T>,
): Promise<T> {
  return withPublishSpan(
    parent,
    { ...messagingAttributes('send', 'publish', push.id), [A.messagingDestinationName]: destinationOf(push.to), ...attributes },
    work,
  );
}

/**
 * The hand-off of a batch: one `wsgw.publish` span for all its pushes (each still gets its own
 * fan-out span), so a batch of 1000 small pushes does not pay for 1000 publish spans.
 */
export function tracePublishBatch<T>(parent: Context | undefined, count: number, attributes: Attributes, work: (publication: Publication) => Promise<T>): Promise<T> {
  return withPublishSpan(
    parent,
    {
      [A.messagingSystem]: MESSAGING_SYSTEM,
      [A.messagingOperationType]: 'send',
      [A.messagingOperationName]: 'publish',
      [A.messagingBatchCount]: count,
      ...attributes,
    },
    work,
  );
}
