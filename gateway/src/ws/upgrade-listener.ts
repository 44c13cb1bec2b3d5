import { EventEmitter } from 'node:events';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
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
  observer: GatewayObserver;
  logger: Logger;
  /** Other WebSocket endpoints by path (the console feed), each with its own authentication. */
  routes?: Record<string, UpgradeRoute>;
}

/** Takes over an upgrade; `refuse` answers it with a status and a JSON error body. */
export type UpgradeRoute = (request: IncomingMessage, socket: Duplex, head: Buffer, refuse: (status: number, error: string) => void) => void;

/**
 * Puts the upgrade gate in front of @hono/node-ws. Its own listener answers a refused upgrade with
 * a bare status line; clients deserve the JSON error body every other endpoint gives, so refusals
 * are written here and only admitted requests are handed on.
 */
export function attachUpgradeListener(options: UpgradeListenerOptions): void {
  const { server, gate, admissions, observer, logger } = options;
  const admitted = new EventEmitter();
  options.injectWebSocket(admitted as unknown as Server);

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that resets while its token is being verified must not take the process down.
    socket.on('error', (error) => logger.debug({ err: error.message }, 'upgrade socket error'));
    const url = URL.canParse(request.url ?? '/', BASE) ? new URL(request.url ?? '/', BASE) : undefined;
    if (!url) return refuse(socket, 400, 'malformed request URL');
    const route = options.routes?.[url.pathname];
    if (route) return route(request, socket, head, (status, error) => refuse(socket, status, error));
    if (url.pathname !== '/ws') return refuse(socket, 404, 'not found');
    gate(request, url).then(
      (admission) => {
        if (!admission.ok) {
          if (admission.reason) observer.connectionRejected(admission.reason);
          logger.debug({ status: admission.status, reason: admission.error, remote: request.socket.remoteAddress }, 'connection refused');
          return refuse(socket, admission.status, admission.error);
        }
        if (socket.destroyed) return;
        admissions.set(request, admission);
        admitted.emit('upgrade', request, socket, head);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'upgrade failed');
        refuse(socket, 500, 'internal error');
      },
    );
  });
}

function refuse(socket: Duplex, status: number, error: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
