import { trace, TraceFlags } from '@opentelemetry/api';
import { Hono, type Handler } from 'hono';
import type { Logger } from 'pino';
import type { BatchPushResponse, ConsolePushResult, ErrorBody, PushErrorReason, PushResult } from '../protocol.ts';
import { BusUnavailableError } from '../bus/bus.ts';
import { batchPushes, singlePush } from '../push/push-body.ts';
import type { PushService } from '../push/push-service.ts';
import { validatePush } from '../push/push-validation.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import { readJsonBody } from './json-body.ts';

export const MAX_BATCH = 1000;

/** `POST /api/push` and `POST /api/push/batch`; `maxBodyBytes` caps each request body (413 beyond). */
export function createPushRoutes(pushes: PushService, observer: GatewayObserver, maxBodyBytes: number, logger: Logger): Hono {
  const routes = new Hono();

  routes.post('/push', pushHandler(pushes, observer, maxBodyBytes));

  routes.post('/push/batch', async (c) => {
    const body = await readJsonBody(c, maxBodyBytes);
    if (!body.ok) return rejected(body.response, observer);
    const entries = batchPushes(body.text, body.value);
    if (!entries) return rejected(c.json({ error: '"pushes" must be an array' }, 400), observer);
    if (entries.length > MAX_BATCH) {
      return rejected(c.json({ error: `a batch holds at most ${MAX_BATCH} pushes` }, 400), observer);
    }
    // Every push is handed to the bus in order as it is started (nothing is awaited before its
    // publish), so the batch keeps its order on every connection while the waits for the other
    // nodes' recipient counts overlap.
    const results = await pushes.batch(
      entries.length,
      (publication) =>
        Promise.all(
          entries.map(async (entry): Promise<BatchPushResponse['results'][number]> => {
            const push = validatePush(entry);
            if (!push.ok) {
              observer.pushFailed('invalid');
              return { error: push.error } satisfies ErrorBody;
            }
            try {
              const { replayed: _replayed, ...result } = await pushes.push(push.value, { publication });
              return result;
            } catch (error) {
              if (error instanceof BusUnavailableError) return { error: `bus unavailable: ${error.message}` };
              // Anything else is the gateway's fault: count and log it, and keep its text to the log.
              observer.pushFailed('internal');
              logger.error({ err: error }, 'batch push failed');
              return { error: 'internal error' };
            }
          }),
        ),
      c.get('traceContext'),
    );
    return c.json({ results } satisfies BatchPushResponse, 202);
  });

  return routes;
}

/**
 * One push from a JSON body. The console's test push sets `withTraceId`, so the operator can open
 * the trace the push produced (present only when the request's span was sampled).
 */
export function pushHandler(pushes: PushService, observer: GatewayObserver, maxBodyBytes: number, withTraceId = false): Handler {
  return async (c) => {
    const body = await readJsonBody(c, maxBodyBytes);
    if (!body.ok) return rejected(body.response, observer);
    const push = validatePush(singlePush(body.text, body.value));
    if (!push.ok) return rejected(c.json({ error: push.error }, 400), observer);
    const traceContext = c.get('traceContext');
    const { replayed, ...result } = await pushes.push(push.value, { trace: traceContext }).catch((error: unknown) => {
      // The bus's refusals are counted where they happen; anything else is the gateway's fault.
      if (!(error instanceof BusUnavailableError)) observer.pushFailed('internal');
      throw error;
    });
    const headers: Record<string, string> = replayed ? { 'Idempotent-Replay': 'true' } : {};
    if (!withTraceId) return c.json(result satisfies PushResult, 202, headers);
    const span = traceContext && trace.getSpanContext(traceContext);
    const traceId = span && span.traceFlags & TraceFlags.SAMPLED ? span.traceId : undefined;
    return c.json({ ...result, ...(traceId && { traceId }) } satisfies ConsolePushResult, 202, headers);
  };
}

/** Counts a refused push under the reason its status stands for. */
function rejected(response: Response, observer: GatewayObserver): Response {
  const reason: PushErrorReason = response.status === 413 ? 'too_large' : 'invalid';
  observer.pushFailed(reason);
  return response;
}
