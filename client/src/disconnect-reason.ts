import type { CloseCode } from '@wsgw/gateway/protocol';

/** Why a connection ended, or why an attempt to open one failed. */
export type DisconnectReason =
  /** The socket closed: the code and text of the close frame (1006 when it was cut without one). */
  | { type: 'close'; code: number; text: string; /** whether the gateway's welcome had arrived */ opened: boolean }
  /** The gateway refused the upgrade with this HTTP status. Seen only where the WebSocket implementation tells the status (`ws` in Node); a browser reports a close 1006 instead. */
  | { type: 'refused'; status: number }
  /** The token provider threw or rejected, or the socket could not be created. */
  | { type: 'error'; error: Error }
  /** The token provider returned no token. */
  | { type: 'no-token' }
  /** `client.close()` was called. */
  | { type: 'client' };

// Written as literals since the SDK imports only types from the gateway; the annotations make a
// change of the gateway's codes a compile error here.
const KICKED: (typeof CloseCode)['Kicked'] = 4001;
const POLICY_VIOLATION: (typeof CloseCode)['PolicyViolation'] = 1008;
/** The token expired and was not renewed in time: final for a client with a fixed token, which has no other to offer. */
export const TOKEN_EXPIRED_CLOSE_CODE: (typeof CloseCode)['TokenExpired'] = 4003;

/** Close codes after which reconnecting would only repeat the outcome: kicked through the API, or a policy violation. */
export const FINAL_CLOSE_CODES: readonly number[] = [KICKED, POLICY_VIOLATION];
/** Upgrade refusals that a retry with the same token cannot pass: the token is missing, invalid or expired. */
export const FINAL_HTTP_STATUSES: readonly number[] = [401];

/**
 * Whether the client stops for good after `reason` instead of reconnecting. `renewable`: the
 * client has a token provider, so a close for an expired token (4003) is retried with a new one.
 */
export function isFinal(reason: DisconnectReason, renewable = false): boolean {
  switch (reason.type) {
    case 'close':
      return FINAL_CLOSE_CODES.includes(reason.code) || (reason.code === TOKEN_EXPIRED_CLOSE_CODE && !renewable);
    case 'refused':
      return FINAL_HTTP_STATUSES.includes(reason.status);
    case 'error':
      return false;
    case 'no-token':
    case 'client':
      return true;
  }
}
