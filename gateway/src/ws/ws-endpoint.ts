import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createNodeWebSocket, type NodeWebSocket } from '@hono/node-ws';
import { Hono } from 'hono';
import type { WSEvents } from 'hono/ws';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import { checkHandshake } from './handshake.ts';
import type { Admission, UpgradeGate } from './upgrade-gate.ts';
import { refuseOnSocket } from '../http/socket-refusal.ts';

/** A request the upgrade gate let through: who connects, and from where. */
export type Admitted = Extract<Admission, { ok: true }>;

/** Takes over an upgrade on a path of its own; `refuse` answers it with a status and a JSON error body. */
export type UpgradeRoute = (request: IncomingMessage, socket: Duplex, head: Buffer, refuse: (status: number, error: string) => void) => void;

export interface WsEndpointOptions {
  /** Admission (origin, rate, capacity, token, per-user limit), asked before anything is upgraded. */
  admit: UpgradeGate;
  /** The handlers of one connection, given the admission it passed. */
  events(admitted: Admitted): WSEvents<WebSocket>;
  /** Largest client frame in bytes (`WSGW_MAX_FRAME_BYTES`); ws closes a connection sending a larger one with 1009. */
  maxFrameBytes: number;
  observer: GatewayObserver;
  logger: Logger;
}

export interface WsEndpoint {
  /** `/ws` for the app: the upgrades `attach` hands on, and a JSON 426 or 405 to any other request. */
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

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

const BASE = 'http://gateway.invalid';

/**
 * `GET /ws` on @hono/node-ws, with all of the library's glue in this module. Its own upgrade
 * listener answers a refused upgrade with a bare status line, and ws answers a malformed handshake
 * in `text/html`; clients deserve the JSON error body every other endpoint gives. So the listener
 * here checks the handshake and asks admission first, writes every refusal itself, and hands
 * @hono/node-ws only admitted, well-formed requests, whose admission goes straight to the handlers
 * of the connection.
 */
export function createWsEndpoint(options: WsEndpointOptions): WsEndpoint {
  const { admit, observer, logger } = options;
  ensureErrorEvent();
  const admitted = new WeakMap<IncomingMessage, Admitted>();
  const route = new Hono();
  const nodeWs = createNodeWebSocket({ app: route });
  // @hono/node-ws builds its WebSocketServer with defaults; the frame size limit is read from
  // these options at each upgrade, so setting it here makes ws close oversized frames with 1009.
  nodeWs.wss.options.maxPayload = options.maxFrameBytes;
  // ws would answer each ping itself, and cut the connection without a close frame once 60 of its
  // pongs are unsent; the connection's handlers pong the pings the inbound rate allows and close with 1008.
  nodeWs.wss.options.autoPong = false;
  // The handshake check refuses everything ws would; should ws still refuse one, it must not write
  // its own text answer.
  nodeWs.wss.on('wsClientError', (error: Error, socket: Duplex) => {
    logger.debug({ err: error.message }, 'WebSocket handshake refused by ws');
    refuseOnSocket(socket, { status: 400, error: `invalid WebSocket handshake: ${error.message}` });
  });
  addRoutes(route, nodeWs, (incoming) => admitted.get(incoming), options.events);
  const handOver = upgradeListenerOf(nodeWs);

  const admitAndHandOver = (request: IncomingMessage, socket: Duplex, head: Buffer, url: URL) =>
    admit(request, url).then(
      (admission) => {
        if (!admission.ok) {
          if (admission.reason) observer.connectionRejected(admission.reason);
          logger.debug({ status: admission.status, reason: admission.error, remote: request.socket.remoteAddress }, 'connection refused');
          return refuseOnSocket(socket, admission);
        }
        // ws drops a socket that closed meanwhile without a word, and @hono/node-ws would wait
        // for it for good: hand on only a socket that can still be upgraded.
        if (socket.destroyed || !socket.readable || !socket.writable) return void socket.destroy();
        admitted.set(request, admission);
        handOver(request, socket, head);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'upgrade failed');
        refuseOnSocket(socket, { status: 500, error: 'internal error' });
      },
    );

  return {
    route,
    attach(server, routes = {}) {
      server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        // A client that resets while its token is being verified must not take the process down.
        socket.on('error', (error) => logger.debug({ err: error.message }, 'upgrade socket error'));
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
        void admitAndHandOver(request, socket, head, url);
      });
    },
    stop: () => nodeWs.wss.close(),
  };
}

/**
 * `/ws` on `route`, the app @hono/node-ws answers from. Only a request handed on by the listener is
 * upgraded. Any other (an ordinary HTTP request that merely carries `Upgrade: websocket`, without
 * `Connection: Upgrade`) would make @hono/node-ws park a waiter for a socket that never comes, for
 * good, and answer 200: it gets the 426 instead.
 */
function addRoutes(route: Hono, nodeWs: NodeWebSocket, admissionOf: (incoming: IncomingMessage) => Admitted | undefined, events: WsEndpointOptions['events']): void {
  route.get(
    '/ws',
    (c, next) => {
      const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
      const admission = incoming && admissionOf(incoming);
      return admission ? nodeWs.upgradeWebSocket(() => events(admission))(c, next) : next();
    },
    (c) => c.json({ error: 'expected a WebSocket upgrade' }, 426, { Upgrade: 'websocket' }),
  );
  route.all('/ws', (c) => c.json({ error: `method ${c.req.method} not allowed: /ws takes a GET WebSocket upgrade` }, 405, { Allow: 'GET' }));
}

/**
 * The listener `injectWebSocket` would put on a server, received here instead: `injectWebSocket`
 * does nothing but register it for `'upgrade'`, and it must only ever see the requests admitted
 * above (it would answer any other with a bare status line, before admission has decided). So the
 * hand-over is one plain call, and no request reaches @hono/node-ws on its own.
 */
function upgradeListenerOf(nodeWs: NodeWebSocket): UpgradeListener {
  let listener: UpgradeListener | undefined;
  const receiver = {
    on(event: string, registered: UpgradeListener) {
      if (event === 'upgrade') listener = registered;
    },
  };
  nodeWs.injectWebSocket(receiver as unknown as Server);
  if (!listener) throw new Error('@hono/node-ws registered no upgrade listener');
  return listener;
}

/**
 * @hono/node-ws reports socket errors as `new ErrorEvent(...)`, a global Node only has from
 * version 22 on. On Node 20 that call throws inside ws's 'error' listener and takes the process
 * down with it, so a client sending an oversized or malformed frame could crash the gateway.
 * Installing a minimal ErrorEvent where it is missing keeps those errors where they belong.
 */
function ensureErrorEvent(): void {
  if (typeof globalThis.ErrorEvent === 'function') return;
  class ErrorEventShim extends Event {
    readonly error: unknown;
    readonly message: string;
    constructor(type: string, init: ErrorEventInit = {}) {
      super(type, init);
      this.error = init.error;
      this.message = init.message ?? (init.error instanceof Error ? init.error.message : '');
    }
  }
  Object.defineProperty(globalThis, 'ErrorEvent', { value: ErrorEventShim, writable: true, configurable: true });
}
