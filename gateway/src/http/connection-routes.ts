import { Hono } from 'hono';
import type { Context } from 'hono';
import type { ClusterDisconnect, DisconnectOrder } from '../cluster/cluster-control.ts';
import type { ClusterTagPage, ClusterTagResult, TagPageRequest } from '../cluster/cluster-tags.ts';
import type { ClusterUserConnections } from '../cluster/user-directory.ts';
import { parseTagChange } from '../hub/tag-change.ts';
import { MAX_CONNECTION_TAGS, MAX_ID_LENGTH, type DisconnectResult, type TagChangeResult, type TagConnections, type UserConnections } from '../protocol.ts';
import type { TagOrder } from '../ws/tag-changes.ts';
import { readJsonBody } from './json-body.ts';
import { encodeCursor, parseTagPage } from './tag-page.ts';

/** What the connection routes need of the cluster: both act on every node. */
export interface ClusterConnections {
  /** A user's connections across the cluster. */
  userConnections(user: string): Promise<ClusterUserConnections>;
  /** Closes the matching connections (4001) wherever they are held. */
  disconnect(order: DisconnectOrder): Promise<ClusterDisconnect>;
  /** Changes the tags of the matching connections wherever they are held. */
  changeTags(order: TagOrder): Promise<ClusterTagResult>;
  /** One page of a tag's connections across the cluster. */
  tagConnections(request: TagPageRequest): Promise<ClusterTagPage>;
}

/** Largest tag change body, bytes: 128 tags of 256 characters, each up to 4 UTF-8 bytes, and JSON around them. */
const MAX_TAG_BODY_BYTES = 160 * 1024;

/** Reads and checks a tag change body; a Response when it is refused. */
async function tagOrderBody(c: Context): Promise<TagOrder['change'] | Response> {
  const body = await readJsonBody(c, MAX_TAG_BODY_BYTES);
  if (!body.ok) return body.response;
  const change = parseTagChange(body.value);
  return change.ok ? change.value : c.json({ error: change.error }, 400);
}

/** The answer to a tag change: 400 when every connection it reached would pass the tag limit. */
function tagAnswer(c: Context, { changed, refused, complete }: ClusterTagResult): Response {
  if (refused > 0 && changed === 0) {
    return c.json({ error: `the change would give the connection more than ${MAX_CONNECTION_TAGS} tags`, refused, ...incomplete(complete) }, 400);
  }
  return c.json({ changed, ...(refused > 0 && { refused }), ...incomplete(complete) } satisfies TagChangeResult);
}

const incomplete = (complete: boolean) => (complete ? {} : { complete: false as const });

/**
 * The routes that read or close connections, for the whole cluster: one implementation behind
 * both `/api` and the console's `/api/console`, so neither answers for its own node alone.
 */
export function createConnectionRoutes(cluster: ClusterConnections): Hono {
  const routes = new Hono();

  routes.get('/users/:user', async (c) => {
    const user = c.req.param('user');
    const { connections, complete } = await cluster.userConnections(user);
    return c.json({ user, connections, ...incomplete(complete) } satisfies UserConnections);
  });

  routes.post('/users/:user/disconnect', async (c) => {
    const { disconnected, complete } = await cluster.disconnect({ user: c.req.param('user') });
    return c.json({ disconnected, ...incomplete(complete) } satisfies DisconnectResult);
  });

  routes.post('/connections/:id/disconnect', async (c) => {
    const { disconnected, complete } = await cluster.disconnect({ connection: c.req.param('id') });
    if (disconnected === 0) return c.json({ error: 'no such connection', ...incomplete(complete) }, 404);
    return c.json({ disconnected } satisfies DisconnectResult);
  });

  routes.post('/users/:user/tags', async (c) => {
    const change = await tagOrderBody(c);
    if (change instanceof Response) return change;
    const user = c.req.param('user');
    // No token names a longer user: nobody need be asked.
    if (user.length > MAX_ID_LENGTH) return c.json({ changed: 0 } satisfies TagChangeResult);
    return tagAnswer(c, await cluster.changeTags({ user, change }));
  });

  routes.post('/connections/:id/tags', async (c) => {
    const change = await tagOrderBody(c);
    if (change instanceof Response) return change;
    const id = c.req.param('id');
    if (id.length > MAX_ID_LENGTH) return c.json({ error: 'no such connection' }, 404);
    const result = await cluster.changeTags({ connection: id, change });
    if (result.matched === 0) return c.json({ error: 'no such connection', ...incomplete(result.complete) }, 404);
    return tagAnswer(c, result);
  });

  routes.get('/tags/:tag', async (c) => {
    const tag = c.req.param('tag');
    const request = parseTagPage(tag, c.req.query('limit'), c.req.query('cursor'));
    if (!request.ok) return c.json({ error: request.error }, 400);
    const { total, connections, last, complete } = await cluster.tagConnections(request.value);
    return c.json({ tag, total, connections, ...(last !== undefined && { next: encodeCursor(last) }), ...incomplete(complete) } satisfies TagConnections);
  });

  return routes;
}
