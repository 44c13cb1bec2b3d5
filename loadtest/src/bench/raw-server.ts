/**
 * Baseline for the bench: the plain `ws` send loop with nothing else (no auth check, no bus, no
 * metrics), the Node ceiling of one frame per write. It speaks just enough of the gateway's wire
 * contract for the same client protocol (protocols/wsgw.ts) to drive it:
 *
 * - `GET /ws?token=<jwt>`: WebSocket; sends a welcome frame on open. The token's `sub` is read
 *   (not verified) to know the connection's user.
 * - the trigger routes of peer-trigger-routes.ts: a gateway-shaped push frame per push, built once
 *   and written to every recipient.
 *
 * Environment: PORT (default 0), HOST (default 127.0.0.1).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { createPeerTriggerRoutes } from './peer-trigger-routes.ts';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';

const byUser = new Map<string, Set<WebSocket>>();
let connections = 0;

/** The `sub` of the connection's token, unverified: the baseline trusts its clients. */
const userOf = (request: IncomingMessage): string => {
  const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : 'anonymous';
  } catch {
    return 'anonymous';
  }
};

const frameOf = (data: unknown): string => JSON.stringify({ type: 'push', id: randomUUID(), ts: Date.now(), data });

const sendTo = (sockets: Iterable<WebSocket>, text: string): number => {
  let recipients = 0;
  for (const socket of sockets) {
    if (socket.readyState !== WebSocket.OPEN) continue;
    socket.send(text);
    recipients += 1;
  }
  return recipients;
};

const http: HttpServer = createServer(
  createPeerTriggerRoutes({
    broadcast: (data): number => sendTo(wss.clients, frameOf(data)),
    pushToUser: (user, data): number => sendTo(byUser.get(user) ?? [], frameOf(data)),
  }),
);
const wss = new WebSocketServer({ server: http, path: '/ws', perMessageDeflate: false });

wss.on('connection', (socket, request) => {
  connections += 1;
  const user = userOf(request);
  const sockets = byUser.get(user) ?? new Set<WebSocket>();
  byUser.set(user, sockets.add(socket));
  socket.once('close', () => {
    sockets.delete(socket);
    if (sockets.size === 0) byUser.delete(user);
  });
  socket.send(JSON.stringify({ type: 'welcome', connection: `c${connections}`, user, node: 'raw' }));
});

const shutdown = (): void => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  http.close(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

http.listen(port, host);
