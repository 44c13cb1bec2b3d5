import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { GatewayConfig } from '../config.ts';
import { socketOf, type Connection } from '../hub/connection.ts';
import type { Hub } from '../hub/hub.ts';
import { createTokenBucket } from '../limits/token-bucket.ts';
import { CloseCode, type ServerFrame, type WelcomeFrame } from '../protocol.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import { parseClientFrame } from './client-frames.ts';
import type { Admitted, ConnectionHandlers } from './ws-endpoint.ts';

export interface ConnectionEventsOptions {
  nodeId: string;
  hub: Hub;
  config: Pick<GatewayConfig, 'inboundRate' | 'maxInvalidFrames' | 'maxConnectionsPerUser'>;
  observer: GatewayObserver;
  logger: Logger;
}

/**
 * Builds the event handlers of one `GET /ws` connection, from the admission it passed: on open it
 * registers the connection with the hub and welcomes it, then it applies the inbound limits to
 * each client frame and answers or records it, and on close it unregisters it.
 */
export function createConnectionEvents(options: ConnectionEventsOptions) {
  const { hub, config, observer, logger } = options;

  return (admission: Admitted): ConnectionHandlers => {
    let connection: Connection | undefined;

    return {
      onOpen(ws) {
        // Re-checked here: two connections of one user may have passed the gate at the same time.
        if (hub.connectionsOf(admission.principal.user) >= config.maxConnectionsPerUser) {
          observer.connectionRejected('limit');
          ws.close(CloseCode.PolicyViolation, 'too many connections for this user');
          return;
        }
        connection = open(options, admission, ws);
      },

      onMessage(data) {
        if (!connection || hub.closeReasonOf(connection) !== undefined) return;
        const started = performance.now();
        handleFrame(hub, connection, data);
        observer.messageHandled(performance.now() - started);
      },

      onClose(code) {
        if (!connection) return;
        const reason = hub.unregister(connection, code);
        logger.debug({ connection: connection.id, code, reason }, 'connection closed');
      },

      onError(error) {
        // ws reports protocol violations here (oversized frame, bad UTF-8, bad opcode) and closes
        // the connection itself with the matching code (1009 for size).
        if (connection) hub.recordCloseReason(connection, 'policy');
        logger.debug({ connection: connection?.id, err: error.message }, 'connection error');
      },
    };
  };
}

/** Registers an opened connection with the hub and welcomes it; its pings and pongs draw on its inbound rate. */
function open(options: ConnectionEventsOptions, admission: Admitted, raw: WebSocket): Connection {
  const { hub, config } = options;
  const { principal, remote } = admission;
  const opened: Connection = {
    id: randomUUID(),
    user: principal.user,
    tags: principal.tags,
    connectedAt: Date.now(),
    remote,
    ws: raw,
    socket: socketOf(raw),
    inboundRate: createTokenBucket(config.inboundRate, config.inboundRate * 2),
    invalidFrames: createTokenBucket(config.maxInvalidFrames / 60, config.maxInvalidFrames),
  };
  // Control frames cost parsing like any other frame, and a ping a pong, so they draw on the
  // same inbound allowance (ws's own answering is off: see ws-endpoint.ts); pongs too, since a
  // client may send them unasked, and the heartbeat's one pong per interval is far below it.
  raw.on('ping', (data: Buffer) => {
    if (takeInbound(hub, opened)) raw.pong(data);
  });
  raw.on('pong', () => takeInbound(hub, opened));
  hub.register(opened);
  const welcome: WelcomeFrame = { type: 'welcome', connection: opened.id, user: opened.user, node: options.nodeId };
  raw.send(JSON.stringify(welcome));
  options.logger.debug({ connection: opened.id, user: opened.user, remote }, 'connection opened');
  return opened;
}

/** Counts one client frame (data or control) against the inbound rate; false once it closed the connection. */
function takeInbound(hub: Hub, connection: Connection): boolean {
  if (hub.closeReasonOf(connection) !== undefined) return false;
  if (connection.inboundRate.take()) return true;
  hub.close(connection, CloseCode.PolicyViolation, 'policy', 'inbound rate limit exceeded');
  return false;
}

/** Applies the inbound limits to one client frame, then answers or records it. */
function handleFrame(hub: Hub, connection: Connection, data: string | Buffer): void {
  if (!takeInbound(hub, connection)) return;
  const parsed = parseClientFrame(data);
  if (!parsed.ok) {
    if (!connection.invalidFrames.take()) {
      hub.close(connection, CloseCode.PolicyViolation, 'policy', 'too many invalid frames');
      return;
    }
    send(connection, { type: 'error', error: parsed.error });
    return;
  }
  if (parsed.frame.type === 'ping') send(connection, { type: 'pong', ts: Date.now() });
  else hub.ack(connection, parsed.frame.id);
}

function send(connection: Connection, frame: ServerFrame): void {
  connection.ws.send(JSON.stringify(frame));
}
