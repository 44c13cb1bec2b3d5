import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { GatewayConfig } from '../config.ts';
import { socketOf, type Connection } from '../hub/connection.ts';
import type { Hub } from '../hub/hub.ts';
import { createTokenBucket } from '../limits/token-bucket.ts';
import { CloseCode, type ServerFrame } from '../protocol.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import { parseClientFrame } from './client-frames.ts';
import type { StreamResume } from './stream-resume.ts';
import type { TokenExpiry } from './token-expiry.ts';
import { createTokenRefresh, type TokenRefresh } from './token-refresh.ts';
import type { Admitted, ConnectionHandlers } from './ws-endpoint.ts';

export interface ConnectionEventsOptions {
  hub: Hub;
  /** The welcome with stream positions, and resumes. */
  streams: StreamResume;
  /** Verifies the tokens of `token` frames, as the upgrade gate does connect tokens. */
  verify: TokenVerifier;
  /** When each connection's token expires. */
  expiry: TokenExpiry;
  config: Pick<GatewayConfig, 'inboundRate' | 'maxInvalidFrames' | 'maxConnectionsPerUser'>;
  observer: GatewayObserver;
  logger: Logger;
}

/**
 * The handlers of the `GET /ws` connections: on open a connection is registered with the hub,
 * filed under its token's expiry (token-expiry.ts) and welcomed with its streams' positions
 * (stream-resume.ts, which also replays a `resume`), then the inbound limits are applied to each
 * client frame, which is answered or recorded (a `token` frame by token-refresh.ts), and on close
 * it is unregistered and leaves the expiry buckets. One set serves every connection; each
 * socket's connection is found in a weak map, so nothing of it outlives the socket.
 */
export function createConnectionEvents(options: ConnectionEventsOptions): ConnectionHandlers {
  const { hub, streams, expiry, config, observer, logger } = options;
  const connections = new WeakMap<WebSocket, Connection>();
  const refresh = createTokenRefresh({ verify: options.verify, expiry, hub, refused: (connection) => void invalidFrame(hub, connection), observer, logger });
  const frames: FrameHandlers = { hub, streams, refresh };

  // Control frames cost parsing like any other frame, and a ping a pong, so they draw on the same
  // inbound allowance (ws's own answering is off: see ws-endpoint.ts); pongs too, since a client
  // may send them unasked, and the heartbeat's one pong per interval is far below it.
  function onPing(this: WebSocket, data: Buffer) {
    const connection = connections.get(this);
    if (connection && takeInbound(hub, connection)) this.pong(data);
  }
  function onPong(this: WebSocket) {
    const connection = connections.get(this);
    if (connection) takeInbound(hub, connection);
  }

  return {
    open(ws, admission) {
      // Re-checked here: two connections of one user may have passed the gate at the same time.
      if (hub.connectionsOf(admission.principal.user) >= config.maxConnectionsPerUser) {
        observer.connectionRejected('limit');
        ws.close(CloseCode.PolicyViolation, 'too many connections for this user');
        return;
      }
      const connection = connectionOf(config, admission, ws);
      connections.set(ws, connection);
      ws.on('ping', onPing);
      ws.on('pong', onPong);
      // Held until the welcome is out: no push may precede it.
      hub.register(connection, { held: true });
      expiry.expireAt(connection, admission.principal.exp);
      streams.open(connection, admission.resume);
      logger.debug({ connection: connection.id, user: connection.user, remote: connection.remote }, 'connection opened');
    },

    message(ws, data) {
      const connection = connections.get(ws);
      if (!connection || hub.closeReasonOf(connection) !== undefined) return;
      const started = performance.now();
      handleFrame(frames, connection, data);
      observer.messageHandled(performance.now() - started);
    },

    close(ws, code) {
      const connection = connections.get(ws);
      if (!connection) return;
      connections.delete(ws);
      expiry.forget(connection);
      streams.closed(connection);
      const reason = hub.unregister(connection, code);
      logger.debug({ connection: connection.id, code, reason }, 'connection closed');
    },

    error(ws, error) {
      // ws reports protocol violations here (oversized frame, bad UTF-8, bad opcode) and closes
      // the connection itself with the matching code (1009 for size).
      const connection = connections.get(ws);
      if (connection) hub.recordCloseReason(connection, 'policy');
      logger.debug({ connection: connection?.id, err: error.message }, 'connection error');
    },
  };
}

/** The hub's record of an admitted socket, with its inbound allowances. */
function connectionOf(config: ConnectionEventsOptions['config'], admission: Admitted, ws: WebSocket): Connection {
  const { principal, remote } = admission;
  return {
    id: randomUUID(),
    user: principal.user,
    tags: principal.tags,
    connectedAt: Date.now(),
    remote,
    ws,
    socket: socketOf(ws),
    inboundRate: createTokenBucket(config.inboundRate, config.inboundRate * 2),
    invalidFrames: createTokenBucket(config.maxInvalidFrames / 60, config.maxInvalidFrames),
  };
}

/** Counts one client frame (data or control) against the inbound rate; false once it closed the connection. */
function takeInbound(hub: Hub, connection: Connection): boolean {
  if (hub.closeReasonOf(connection) !== undefined) return false;
  if (connection.inboundRate.take()) return true;
  hub.close(connection, CloseCode.PolicyViolation, 'policy', 'inbound rate limit exceeded');
  return false;
}

/** Counts one invalid frame (or refused token); false once it closed the connection. */
function invalidFrame(hub: Hub, connection: Connection): boolean {
  if (connection.invalidFrames.take()) return true;
  hub.close(connection, CloseCode.PolicyViolation, 'policy', 'too many invalid frames');
  return false;
}

/** What answers the client frames: the hub (acks), the streams (resumes) and the token refresh. */
interface FrameHandlers {
  hub: Hub;
  streams: StreamResume;
  refresh: TokenRefresh;
}

/** Applies the inbound limits to one client frame, then answers or records it. */
function handleFrame({ hub, streams, refresh }: FrameHandlers, connection: Connection, data: string | Buffer): void {
  if (!takeInbound(hub, connection)) return;
  const parsed = parseClientFrame(data);
  if (!parsed.ok) {
    if (invalidFrame(hub, connection)) send(connection, { type: 'error', error: parsed.error });
    return;
  }
  const { frame } = parsed;
  if (frame.type === 'resume') {
    if (!streams.frame(connection, frame)) send(connection, { type: 'error', error: "resume must be the connection's first frame" });
    return;
  }
  streams.frame(connection, undefined);
  if (frame.type === 'ping') send(connection, { type: 'pong', ts: Date.now() });
  else if (frame.type === 'token') refresh(connection, frame.token);
  else hub.ack(connection, frame.id);
}

function send(connection: Connection, frame: ServerFrame): void {
  connection.ws.send(JSON.stringify(frame));
}
