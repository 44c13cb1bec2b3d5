import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import { TokenError, type Principal, type TokenVerifier } from '../auth/token-verifier.ts';
import type { Connection } from '../hub/connection.ts';
import type { Hub } from '../hub/hub.ts';
import type { TokenAcceptedFrame, TokenRefusedFrame } from '../protocol.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import type { TokenExpiry } from './token-expiry.ts';

export interface TokenRefreshOptions {
  /** The verifier of connect tokens: the same keys, issuer, audience and algorithms. */
  verify: TokenVerifier;
  expiry: Pick<TokenExpiry, 'expireAt'>;
  hub: Pick<Hub, 'closeReasonOf'>;
  /** Told of each token refused, so that it counts against the connection's invalid frames. */
  refused(connection: Connection): void;
  observer: Pick<GatewayObserver, 'tokenRenewed'>;
  logger: Logger;
}

/** Answers one `token` frame of an open connection (asynchronously: the token is verified first). */
export type TokenRefresh = (connection: Connection, token: string) => void;

const SAME_USER = "token sub is not the connection's user";
const ONE_AT_A_TIME = 'a token is already being verified for this connection: wait for its answer';

/**
 * Renews a connection's token from its `token` frame: verified like a connect token, for the same
 * `sub`, it moves the connection's expiry to its `exp` (or none) and ends a grace, answered with
 * `token_accepted`. Anything else is answered with `token_refused` and leaves the connection's
 * deadline as it was. Tags are not read again: the connection was matched to its tags' streams
 * at its welcome, and a resume depends on them staying.
 *
 * One token per connection is verified at a time: answers then come in the order tokens were
 * sent, and a late answer can never put back an older deadline.
 */
export function createTokenRefresh(options: TokenRefreshOptions): TokenRefresh {
  const { verify, expiry, hub, refused, observer, logger } = options;
  const verifying = new WeakSet<Connection>();
  const isOpen = (connection: Connection) => hub.closeReasonOf(connection) === undefined && connection.ws.readyState === WebSocket.OPEN;
  const refuse = (connection: Connection, error: string) => {
    // The token itself never goes into a log line.
    logger.debug({ connection: connection.id, user: connection.user, reason: error }, 'token refresh refused');
    send(connection, { type: 'token_refused', error });
    observer.tokenRenewed('refused');
    refused(connection);
  };

  const renew = async (connection: Connection, token: string) => {
    let principal: Principal;
    try {
      principal = await verify(token);
    } catch (error) {
      if (isOpen(connection)) refuse(connection, error instanceof TokenError ? error.message : 'token is invalid');
      return;
    }
    // Closed while the token was verified: nothing of it may be filed again.
    if (!isOpen(connection)) return;
    if (principal.user !== connection.user) return refuse(connection, SAME_USER);
    expiry.expireAt(connection, principal.exp);
    observer.tokenRenewed('accepted');
    send(connection, principal.exp === undefined ? { type: 'token_accepted' } : { type: 'token_accepted', exp: principal.exp });
  };

  return (connection, token) => {
    if (verifying.has(connection)) return refuse(connection, ONE_AT_A_TIME);
    verifying.add(connection);
    void renew(connection, token)
      .catch((error: unknown) => logger.error({ err: error, connection: connection.id }, 'token refresh failed'))
      .finally(() => verifying.delete(connection));
  };
}

function send(connection: Connection, frame: TokenAcceptedFrame | TokenRefusedFrame): void {
  connection.ws.send(JSON.stringify(frame));
}
