import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import type { Connection } from '../hub/connection.ts';
import type { Hub } from '../hub/hub.ts';
import { CloseCode, type RefreshFrame } from '../protocol.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import { createExpiryBuckets } from './expiry-buckets.ts';

/** How often the node looks for expired tokens and ended graces, ms: the buckets are a second wide. */
export const EXPIRY_TICK_MS = 1000;

const REFRESH = JSON.stringify({ type: 'refresh' } satisfies RefreshFrame);

export interface TokenExpiryOptions {
  hub: Pick<Hub, 'close' | 'closeReasonOf'>;
  /** Time a connection has, from its `refresh` frame, to send a new token, ms (`WSGW_REFRESH_GRACE_MS`). */
  graceMs: number;
  observer: Pick<GatewayObserver, 'refreshRequested'>;
  logger: Logger;
}

/** Where the node's connections stand with their tokens' expiry. */
export interface TokenExpiry {
  /**
   * Sets when the connection's token expires (`exp`, epoch seconds), replacing its earlier
   * deadline and ending a grace it was in; undefined: it never expires.
   */
  expireAt(connection: Connection, exp: number | undefined): void;
  /** The connection closed: it leaves the buckets. */
  forget(connection: Connection): void;
  /** Connections waiting for their token to expire. */
  readonly waiting: number;
  /** Connections sent a `refresh` and not answered yet. */
  readonly inGrace: number;
  stop(): void;
}

/**
 * Tracks every connection's token expiry with one interval for the node, not a timer per
 * connection: connections are filed in per-second buckets (expiry-buckets.ts), first by their
 * token's `exp`, then, once sent `refresh`, by the end of their grace. A tick takes what fell due:
 * expired tokens get `refresh`, ended graces the close with 4003 "token expired". A token frame
 * the gateway accepts (`expireAt`) files the connection under its new `exp`, out of its grace.
 *
 * Deadlines are rounded up to the whole second, and a tick comes once a second: `refresh` goes out
 * within a second after `exp`, the close within two seconds after the grace ended, never before.
 */
export function createTokenExpiry(options: TokenExpiryOptions): TokenExpiry {
  const { hub, graceMs, observer, logger } = options;
  const nowSecond = () => Math.floor(Date.now() / 1000);
  const expiring = createExpiryBuckets<Connection>(nowSecond());
  const grace = createExpiryBuckets<Connection>(nowSecond());

  const tick = () => {
    const second = nowSecond();
    // Graces first: a connection that expires in this tick gets its full grace from now.
    for (const connection of grace.takeDue(second)) {
      if (hub.closeReasonOf(connection) !== undefined) continue;
      logger.debug({ connection: connection.id, user: connection.user }, 'token expired and not renewed');
      hub.close(connection, CloseCode.TokenExpired, 'expired', 'token expired');
    }
    const endOfGrace = Math.ceil((Date.now() + graceMs) / 1000);
    for (const connection of expiring.takeDue(second)) {
      if (hub.closeReasonOf(connection) !== undefined || connection.ws.readyState !== WebSocket.OPEN) continue;
      grace.add(connection, endOfGrace);
      connection.ws.send(REFRESH);
      observer.refreshRequested();
    }
  };
  const timer = setInterval(tick, EXPIRY_TICK_MS);
  timer.unref();

  return {
    expireAt(connection, exp) {
      grace.remove(connection);
      if (exp === undefined) expiring.remove(connection);
      else expiring.add(connection, exp);
    },
    forget(connection) {
      expiring.remove(connection);
      grace.remove(connection);
    },
    get waiting() {
      return expiring.size;
    },
    get inGrace() {
      return grace.size;
    },
    stop: () => clearInterval(timer),
  };
}
