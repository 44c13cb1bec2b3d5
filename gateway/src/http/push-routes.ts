import { Hono } from 'hono';
import type { BatchPushResponse, ErrorBody, PushResult } from '../protocol.ts';
import type { PushService } from '../push/push-service.ts';
import { validatePush } from '../push/push-validation.ts';
import type { StatsCollector } from '../stats/stats-collector.ts';
import { readJsonBody } from './json-body.ts';

export const MAX_BATCH = 1000;

/** `POST /api/push` and `POST /api/push/batch`; `maxBodyBytes` caps each request body (413 beyond). */
export function createPushRoutes(pushes: PushService, stats: StatsCollector, maxBodyBytes: number): Hono {
  const routes = new Hono();

  routes.post('/push', async (c) => {
    const body = await readJsonBody(c, maxBodyBytes);
    if (!body.ok) return rejected(body.response, stats);
    const push = validatePush(body.value);
    if (!push.ok) return rejected(c.json({ error: push.error }, 400), stats);
    const { replayed, ...result } = await pushes.push(push.value);
    return c.json(result satisfies PushResult, 202, replayed ? { 'Idempotent-Replay': 'true' } : {});
  });

  routes.post('/push/batch', async (c) => {
    const body = await readJsonBody(c, maxBodyBytes);
    if (!body.ok) return rejected(body.response, stats);
    const entries = (body.value as { pushes?: unknown } | null)?.pushes;
    if (!Array.isArray(entries)) return rejected(c.json({ error: '"pushes" must be an array' }, 400), stats);
    if (entries.length > MAX_BATCH) {
      return rejected(c.json({ error: `a batch holds at most ${MAX_BATCH} pushes` }, 400), stats);
    }
    const results: BatchPushResponse['results'] = [];
    // Sequential so the pushes of one batch keep their order on every connection.
    await pushes.batch(async () => {
      for (const entry of entries) {
        const push = validatePush(entry);
        if (!push.ok) {
          stats.pushFailed();
          results.push({ error: push.error } satisfies ErrorBody);
          continue;
        }
        try {
          const { replayed: _replayed, ...result } = await pushes.push(push.value);
          results.push(result);
        } catch (error) {
          results.push({ error: error instanceof Error ? error.message : 'push failed' });
        }
      }
    });
    return c.json({ results } satisfies BatchPushResponse, 202);
  });

  return routes;
}

function rejected(response: Response, stats: StatsCollector): Response {
  stats.pushFailed();
  return response;
}
