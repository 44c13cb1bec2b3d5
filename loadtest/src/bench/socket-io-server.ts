/**
 * Socket.IO 4 peer: the way a Socket.IO application pushes, websocket transport only. Each
 * connection joins a room named after its user (the `user` query parameter); a one-user push is
 * `io.to(user).emit('push', data)`, a broadcast `io.emit('push', data)`. Triggered through the
 * routes of peer-trigger-routes.ts; the client side is protocols/socket-io.ts.
 *
 * Environment: PORT (default 0), HOST (default 127.0.0.1).
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createPeerTriggerRoutes } from './peer-trigger-routes.ts';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';

const http: HttpServer = createServer(
  createPeerTriggerRoutes({
    broadcast: (data): number => {
      io.emit('push', data);
      return io.engine.clientsCount;
    },
    pushToUser: (user, data): number => {
      io.to(user).emit('push', data);
      return io.sockets.adapter.rooms.get(user)?.size ?? 0;
    },
  }),
);
// Compression off, as for every server in the bench: it would trade CPU for bytes on loopback.
const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false, httpCompression: false });

io.on('connection', (socket) => {
  const user = socket.handshake.query.user;
  if (typeof user === 'string') void socket.join(user);
});

const shutdown = (): void => {
  io.disconnectSockets(true);
  void io.close(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

http.listen(port, host);
