import { Hono } from 'hono';
import type { BatchPushResponse, ErrorBody, PushErrorReason, PushResult } from '../protocol.ts';
import type { PushService } from '../push/push-service.ts';
import { validatePush } from '../push/push-validation.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import { readJsonBody } from './json-body.ts';

export const MAX_BATCH = 1000;

/** `POST /api/push` and `POST /api/push/batch`; `maxBodyBytes` caps each request body (413 beyond). */
export function createPushRoutes(pushes: PushService, observer: GatewayObserver, maxBodyBytes: number): Hono {
  const routes = new Hono();

  routes.post('/push', async (c) => {
    const body = await readJsonBody(c, maxBodyBytes);
    if (!body.ok) return rejected(body.response, observer);
    const push = validatePush(body.value);
    if (!push.ok) return rejected(c.json({ error: push.error }, 400), observer);
    const { replayed, ...result } = await pushes.push(push.value, { trace: c.get('traceContext') });
    return c.json(result satisfies PushResult, 202, replayed ? { 'Idempotent-Replay': 'true' } : {});
  });

  routes.post('/push/batch', async (c) => {
    const body = await readJsonBody(c, maxBodyBytes);
    if (!body.ok) return rejected(body.response, observer);
    const entries = (body.value as { pushes?: unknown } | null)?.pushes;
    if (!Array.isArray(entries)) return rejected(c.json({ error: '"pushes" must be an array' }, 400), observer);
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
              return { error: error instanceof Error ? error.message : 'push failed' };
            }
          }),
        ),
      c.get('traceContext'),
    );
    return c.json({ results } satisfies BatchPushResponse, 202);
  });

  return routes;
}

/** Counts a refused push under the reason its status stands for. */
function rejected(response: Response, observer: GatewayObserver): Response {
  const reason: PushErrorReason = response.status === 413 ? 'too_large' : 'invalid';
  observer.pushFailed(reason);
  return response;
}
