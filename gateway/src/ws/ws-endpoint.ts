import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import { checkHandshake } from './handshake.ts';
import type { Admission, UpgradeGate } from './upgrade-gate.ts';
import { refuseOnSocket } from '../http/socket-refusal.ts';

/** A request the upgrade gate let through: who connects, and from where. */
export type Admitted = Extract<Admission, { ok: true }>;

/** Takes over an upgrade on a path of its own; `refuse` answers it with a status and a JSON error body. */
export type UpgradeRoute = (request: IncomingMessage, socket: Duplex, head: Buffer, refuse: (status: number, error: string) => void) => void;

/**
 * What the admitted connections do, from the moment a handshake completed. One set of handlers
 * serves every connection, each call naming its socket: per-connection closures would cost a few
 * hundred bytes on each of 10k idle connections.
 */
export interface ConnectionHandlers {
  open(ws: WebSocket, admitted: Admitted): void;
  /** A client frame: text as a string, binary as the bytes. */
  message(ws: WebSocket, data: string | Buffer): void;
  close(ws: WebSocket, code: number): void;
  /** ws reports a protocol violation here, then closes the connection itself with the matching code. */
  error(ws: WebSocket, error: Error): void;
}

export interface WsEndpointOptions {
  /** Admission (origin, rate, capacity, token, per-user limit), asked before anything is upgraded. */
  admit: UpgradeGate;
  /** The handlers of the connections. */
  handlers: ConnectionHandlers;
  /** Largest client frame in bytes (`WSGW_MAX_FRAME_BYTES`); ws closes a connection sending a larger one with 1009. */
  maxFrameBytes: number;
  observer: GatewayObserver;
  logger: Logger;
}

export interface WsEndpoint {
  /** `/ws` for the app: a JSON 426 or 405 to any request that is not a WebSocket upgrade. */
  readonly route: Hono;
  /**
   * Answers every upgrade request `server` receives: `/ws` through admission into a connection,
   * `routes` (other WebSocket endpoints by path, such as the console feed) to their own handlers,
   * anything else refused.
   */
  attach(server: Server, routes?: Record<string, UpgradeRoute>): void;
  /** Upgrades no more: closes the WebSocket server. Its connections are the hub's to close, first. */
  stop(): void;
}

const BASE = 'http://gateway.invalid';

/**
 * `GET /ws`: the server's upgrade listener checks the handshake, asks admission, writes every
 * refusal as JSON itself (ws would answer a malformed handshake in `text/html`), and lets `ws`
 * complete the admitted ones. Hono answers the `/ws` requests that are not upgrades.
 *
 * The upgrade goes to `ws` directly rather than through a Hono WebSocket adapter: an adapter keeps
 * the request's Hono context, a web `Request`, its `URL` and `AbortSignal` alive for as long as
 * the connection is open, about 5 KB per idle connection, and wraps every client frame in a DOM
 * `MessageEvent`. Here a connection holds the `ws` socket and its own handlers, nothing else.
 */
export function createWsEndpoint(options: WsEndpointOptions): WsEndpoint {
  const { admit, observer, logger } = options;
  const wss = new WebSocketServer({
    noServer: true,
    // ws closes a connection sending a larger frame with 1009.
    maxPayload: options.maxFrameBytes,
    // ws would answer each ping itself, and cut the connection without a close frame once 60 of
    // its pongs are unsent; the connection's handlers pong the pings the inbound rate allows and
    // close with 1008.
    autoPong: false,
    // The hub indexes the connections; a second set of them here would only cost memory.
    clientTracking: false,
    perMessageDeflate: false,
  });
  // The handshake check refuses everything ws would; should ws still refuse one, it must not write
  // its own text answer.
  wss.on('wsClientError', (error: Error, socket: Duplex) => {
    logger.debug({ err: error.message }, 'WebSocket handshake refused by ws');
    refuseOnSocket(socket, { status: 400, error: `invalid WebSocket handshake: ${error.message}` });
  });

  // The same listener functions on every socket; ws calls them with the socket as `this`.
  const { handlers } = options;
  function onMessage(this: WebSocket, data: Buffer, isBinary: boolean) {
    handlers.message(this, isBinary ? data : data.toString('utf8'));
  }
  function onClose(this: WebSocket, code: number) {
    handlers.close(this, code);
  }
  function onError(this: WebSocket, error: Error) {
    handlers.error(this, error);
  }
  const connect = (ws: WebSocket, admission: Admitted) => {
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
    handlers.open(ws, admission);
  };

  const admitAndUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer, url: URL) =>
    admit(request, url).then(
      (admission) => {
        if (!admission.ok) {
          if (admission.reason) observer.connectionRejected(admission.reason);
          logger.debug({ status: admission.status, reason: admission.error, remote: admission.remote ?? request.socket.remoteAddress }, 'connection refused');
          return refuseOnSocket(socket, admission);
        }
        // ws drops a socket that closed meanwhile without a word: upgrade only a socket that can
        // still be upgraded.
        if (socket.destroyed || !socket.readable || !socket.writable) return void socket.destroy();
        wss.handleUpgrade(request, socket, head, (ws) => connect(ws, admission));
      },
      (error: unknown) => {
        logger.error({ err: error }, 'upgrade failed');
        refuseOnSocket(socket, { status: 500, error: 'internal error' });
      },
    );

  return {
    route: createRoute(),
    attach(server, routes = {}) {
      // A client that resets while its token is being verified must not take the process down.
      // One listener for every socket: it stays on the socket for as long as the connection lives.
      const onSocketError = (error: Error) => logger.debug({ err: error.message }, 'upgrade socket error');
      server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        socket.on('error', onSocketError);
        const url = URL.canParse(request.url ?? '/', BASE) ? new URL(request.url ?? '/', BASE) : undefined;
        if (!url) return refuseOnSocket(socket, { status: 400, error: 'malformed request URL' });
        const other = routes[url.pathname];
        if (!other && url.pathname !== '/ws') return refuseOnSocket(socket, { status: 404, error: 'not found' });
        const malformed = checkHandshake(request);
        if (malformed) {
          logger.debug({ status: malformed.status, reason: malformed.error, remote: request.socket.remoteAddress }, 'malformed upgrade refused');
          return refuseOnSocket(socket, malformed);
        }
        if (other) return other(request, socket, head, (status, error) => refuseOnSocket(socket, { status, error }));
        void admitAndUpgrade(request, socket, head, url);
      });
    },
    stop: () => wss.close(),
  };
}

/**
 * `/ws` for requests that are not upgrades (the upgrade listener takes every upgrade): a request
 * that merely carries `Upgrade: websocket` without `Connection: Upgrade` gets the 426, any other
 * method the 405.
 */
function createRoute(): Hono {
  const route = new Hono();
  route.get('/ws', (c) => c.json({ error: 'expected a WebSocket upgrade' }, 426, { Upgrade: 'websocket' }));
  route.all('/ws', (c) => c.json({ error: `method ${c.req.method} not allowed: /ws takes a GET WebSocket upgrade` }, 405, { Allow: 'GET' }));
  return route;
}
