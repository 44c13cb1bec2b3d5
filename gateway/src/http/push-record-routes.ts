import { Hono } from 'hono';
import type { ClusterInspector } from '../inspector/cluster-inspector.ts';
import { MAX_USER_PUSHES } from '../inspector/node-answers.ts';
import type { PushInspection, UserPushes } from '../protocol.ts';

/** What the routes need of the inspector; absent when it is off (`WSGW_PUSH_RECORD_MS=0`). */
export type PushRecords = Pick<ClusterInspector, 'push' | 'userPushes'>;

/** Pushes listed by default for a user. */
const DEFAULT_USER_PUSHES = 20;
/** Longest push id or user asked for, characters: no record holds a longer one. */
const MAX_PARAM = 1024;

/**
 * The push inspector's routes, for the whole cluster: one implementation behind `/api` and the
 * console's `/api/console`.
 */
export function createPushRecordRoutes(records: PushRecords | undefined): Hono {
  const routes = new Hono();
  const off = { error: 'the push inspector is turned off (WSGW_PUSH_RECORD_MS=0)' };

  routes.get('/pushes/:id', async (c) => {
    const id = c.req.param('id');
    if (id.length > MAX_PARAM) return c.json({ error: `a push id has at most ${MAX_PARAM} characters` }, 400);
    if (!records) return c.json(off, 404);
    const { inspection, complete } = await records.push(id);
    if (!inspection) return c.json({ error: `no record of push ${JSON.stringify(id)}`, ...(complete ? {} : { complete: false }) }, 404);
    return c.json(inspection satisfies PushInspection);
  });

  routes.get('/users/:user/pushes', async (c) => {
    const user = c.req.param('user');
    if (user.length > MAX_PARAM) return c.json({ error: `a user id has at most ${MAX_PARAM} characters` }, 400);
    const limit = limitOf(c.req.query('limit'));
    if (limit === undefined) return c.json({ error: `"limit" must be an integer from 1 to ${MAX_USER_PUSHES}` }, 400);
    if (!records) return c.json(off, 404);
    return c.json((await records.userPushes(user, limit)) satisfies UserPushes);
  });

  return routes;
}

function limitOf(text: string | undefined): number | undefined {
  if (text === undefined) return DEFAULT_USER_PUSHES;
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const limit = Number(text);
  return limit >= 1 && limit <= MAX_USER_PUSHES ? limit : undefined;
}
