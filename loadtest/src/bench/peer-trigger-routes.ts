/**
 * The HTTP side of the Node peers (raw-server.ts, socket-io-server.ts): the routes the bench's
 * triggers call, so each peer only says how it broadcasts and how it reaches one user.
 *
 * - `POST /broadcast` with `{"pushes":[{"data":…},…]}`: every push in one tick, in order; answers
 *   202 `{"results":[{"recipients"},…]}`.
 * - `POST /push?user=<id>` with `{"data":…}`: one push to that user's connections; 202 `{"recipients"}`.
 * - `GET /health`: 200.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** Upper bound on a trigger body, in bytes; bursts are far below it. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface PeerPushes {
  /** Sends `data` to every connection; returns how many. */
  broadcast(data: unknown): number;
  /** Sends `data` to the connections of `user`; returns how many. */
  pushToUser(user: string, data: unknown): number;
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
};

const answer = (response: ServerResponse, status: number, body: unknown): void => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

const route = async (pushes: PeerPushes, request: IncomingMessage, response: ServerResponse): Promise<void> => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method === 'GET' && url.pathname === '/health') return answer(response, 200, { status: 'ok' });
  if (request.method !== 'POST') return answer(response, 404, { error: 'not found' });
  try {
    if (url.pathname === '/broadcast') {
      const body = JSON.parse(await readBody(request)) as { pushes?: Array<{ data?: unknown }> };
      const list = Array.isArray(body.pushes) ? body.pushes : [];
      return answer(response, 202, { results: list.map((push) => ({ recipients: pushes.broadcast(push.data ?? null) })) });
    }
    const user = url.searchParams.get('user');
    if (url.pathname === '/push' && user) {
      const body = JSON.parse(await readBody(request)) as { data?: unknown };
      return answer(response, 202, { recipients: pushes.pushToUser(user, body.data ?? null) });
    }
    return answer(response, 404, { error: 'not found' });
  } catch (error) {
    return answer(response, 400, { error: error instanceof Error ? error.message : String(error) });
  }
};

export const createPeerTriggerRoutes =
  (pushes: PeerPushes): RequestListener =>
  (request, response) =>
    void route(pushes, request, response);
