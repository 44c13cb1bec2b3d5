/**
 * Baseline for the fan-out bench: the plain `ws` broadcast loop with nothing
 * else (no auth, no bus, no metrics). It speaks just enough of the gateway's
 * wire contract for the same client harness to drive it:
 *
 * - `GET /ws`: WebSocket; sends a welcome frame on open (the token is ignored).
 * - `POST /broadcast` with `{"pushes":[{"data":…},…]}`: for each push, in one
 *   tick, builds a gateway-shaped push frame and sends it to every client.
 *   Answers 202 `{"results":[{"id","recipients"},…]}`.
 * - `GET /health`: 200.
 *
 * Environment: PORT (default 0), HOST (default 127.0.0.1).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

/** Upper bound on a trigger body, in bytes; bursts are far below it. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';

const http = createServer((request, response) => void routeRequest(request, response));
const wss = new WebSocketServer({ server: http, path: '/ws', perMessageDeflate: false });
let connections = 0;

wss.on('connection', (socket) => {
  connections += 1;
  socket.send(JSON.stringify({ type: 'welcome', connection: `c${connections}`, user: 'anonymous', node: 'raw' }));
});

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

const broadcast = (data: unknown): { id: string; recipients: number } => {
  const id = randomUUID();
  const text = JSON.stringify({ type: 'push', id, ts: Date.now(), data });
  let recipients = 0;
  for (const client of wss.clients) {
    if (client.readyState === WebSocket.OPEN) {
      client.send(text);
      recipients += 1;
    }
  }
  return { id, recipients };
};

const routeRequest = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method === 'GET' && path === '/health') {
    answer(response, 200, { status: 'ok' });
    return;
  }
  if (request.method !== 'POST' || path !== '/broadcast') {
    answer(response, 404, { error: 'not found' });
    return;
  }
  try {
    const body = JSON.parse(await readBody(request)) as { pushes?: Array<{ data?: unknown }> };
    const pushes = Array.isArray(body.pushes) ? body.pushes : [];
    answer(response, 202, { results: pushes.map((push) => broadcast(push.data ?? null)) });
  } catch (error) {
    answer(response, 400, { error: error instanceof Error ? error.message : String(error) });
  }
};

const shutdown = (): void => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  http.close(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

http.listen(port, host);
