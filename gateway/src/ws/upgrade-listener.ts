import { EventEmitter } from 'node:events';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import { checkHandshake, type Refusal } from './handshake.ts';
import type { Admission, UpgradeGate } from './upgrade-gate.ts';

const BASE = 'http://gateway.invalid';

/** Admissions of requests the gate let through, read by the `/ws` route when the socket opens. */
export type Admissions = WeakMap<IncomingMessage, Extract<Admission, { ok: true }>>;

export interface UpgradeListenerOptions {
  server: Server;
  gate: UpgradeGate;
  admissions: Admissions;
  /** `injectWebSocket` of @hono/node-ws; it only ever sees upgrades the gate admitted. */
  injectWebSocket(server: Server): void;
  /** @hono/node-ws's WebSocketServer, whose handshake refusals are answered here too. */
  wss: WebSocketServer;
  observer: GatewayObserver;
  logger: Logger;
  /** Other WebSocket endpoints by path (the console feed), each with its own authentication. */
  routes?: Record<string, UpgradeRoute>;
}

/** Takes over an upgrade; `refuse` answers it with a status and a JSON error body. */
export type UpgradeRoute = (request: IncomingMessage, socket: Duplex, head: Buffer, refuse: (status: number, error: string) => void) => void;

/**
 * Puts the upgrade gate in front of @hono/node-ws. Its own listener answers a refused upgrade with
 * a bare status line, and ws answers a malformed handshake in `text/html`; clients deserve the
 * JSON error body every other endpoint gives, so refusals are written here and only admitted,
 * well-formed requests are handed on.
 */
export function attachUpgradeListener(options: UpgradeListenerOptions): void {
  const { server, gate, admissions, observer, logger } = options;
  const admitted = new EventEmitter();
  options.injectWebSocket(admitted as unknown as Server);
  // The handshake check below refuses everything ws would; should ws still refuse one, it must
  // not write its own text answer.
  options.wss.on('wsClientError', (error: Error, socket: Duplex) => {
    logger.debug({ err: error.message }, 'WebSocket handshake refused by ws');
    refuse(socket, { status: 400, error: `invalid WebSocket handshake: ${error.message}` });
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that resets while its token is being verified must not take the process down.
    socket.on('error', (error) => logger.debug({ err: error.message }, 'upgrade socket error'));
    const url = URL.canParse(request.url ?? '/', BASE) ? new URL(request.url ?? '/', BASE) : undefined;
    if (!url) return refuse(socket, { status: 400, error: 'malformed request URL' });
    const route = options.routes?.[url.pathname];
    if (!route && url.pathname !== '/ws') return refuse(socket, { status: 404, error: 'not found' });
    const malformed = checkHandshake(request);
    if (malformed) {
      logger.debug({ status: malformed.status, reason: malformed.error, remote: request.socket.remoteAddress }, 'malformed upgrade refused');
      return refuse(socket, malformed);
    }
    if (route) return route(request, socket, head, (status, error) => refuse(socket, { status, error }));
    gate(request, url).then(
      (admission) => {
        if (!admission.ok) {
          if (admission.reason) observer.connectionRejected(admission.reason);
          logger.debug({ status: admission.status, reason: admission.error, remote: request.socket.remoteAddress }, 'connection refused');
          return refuse(socket, admission);
        }
        // ws drops a socket that closed meanwhile without a word, and @hono/node-ws would wait
        // for it for good: hand on only a socket that can still be upgraded.
        if (socket.destroyed || !socket.readable || !socket.writable) return void socket.destroy();
        admissions.set(request, admission);
        admitted.emit('upgrade', request, socket, head);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'upgrade failed');
        refuse(socket, { status: 500, error: 'internal error' });
      },
    );
  });
}

/**
 * Lets @hono/node-ws's `/ws` handler see only requests this listener admitted. Any other request
 * (an ordinary HTTP request that merely carries `Upgrade: websocket`, without `Connection:
 * Upgrade`) would make it park a waiter for a socket that never comes, for good, and answer 200.
 * Those go on to the next handler instead.
 */
export function admittedOnly(admissions: Admissions, upgrade: MiddlewareHandler): MiddlewareHandler {
  return (c, next) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    return incoming && admissions.has(incoming) ? upgrade(c, next) : next();
  };
}

function refuse(socket: Duplex, refusal: Refusal): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: refusal.error });
  const headers = Object.entries(refusal.headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`);
  // Destroyed once written: a client that never closes its end must not keep the socket open.
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\n` +
      'Connection: close\r\nContent-Type: application/json\r\n' +
      headers.join('') +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
