import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { createClientErrorHandler, requestErrorResponse } from './client-error.ts';

/** The node's HTTP server, and the two ends of its shutdown. */
export interface HttpServer {
  readonly server: Server;
  /** True once `stopListening` ran: `/ready` answers 503 and upgrades are refused. */
  isDraining(): boolean;
  /** Answers the server's requests with `app`. */
  serve(app: Hono): void;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** The first step of a shutdown: marks the node draining, accepts no more connections, closes the idle ones. */
  stopListening(): void;
  /**
   * The last step before the bus: closes the connections still open (their requests and WebSockets
   * have had their time by then) and resolves once the server has closed.
   */
  close(): Promise<void>;
}

/** A Node HTTP server tuned for the gateway; it answers nothing until `serve`. */
export function createHttpServer(logger: Logger): HttpServer {
  // A missing Host is left to the adapter, which answers it (and a bad Host) through
  // `requestErrorResponse` with a JSON 400; Node's own check answers with an empty body.
  const server = createServer({ requireHostHeader: false });
  // Backends keep HTTP connections to the push API open; outlive the usual 60 s idle timeout of
  // load balancers and clients so a reused connection is never closed under a request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', createClientErrorHandler(logger));
  let closed: Promise<void> | undefined;

  const stopListening = () => {
    if (closed) return;
    closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
  };

  return {
    server,
    isDraining: () => closed !== undefined,
    serve: (app) => void server.on('request', getRequestListener(app.fetch, { errorHandler: requestErrorResponse })),
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    stopListening,
    async close() {
      stopListening();
      server.closeAllConnections();
      await closed;
    },
  };
}
