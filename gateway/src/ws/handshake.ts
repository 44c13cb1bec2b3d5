import type { IncomingMessage } from 'node:http';
import type { Refusal } from '../http/socket-refusal.ts';

/** The one WebSocket version spoken (RFC 6455); others are told so with 426. */
export const WEBSOCKET_VERSION = '13';

/** Base64 of a 16-byte nonce (RFC 6455 §4.1): 22 characters and `==`. */
const KEY = /^[A-Za-z0-9+/]{22}==$/;
/** An HTTP token (RFC 9110 §5.6.2), the syntax of each offered subprotocol. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Checks an upgrade request the way ws's `handleUpgrade` will, so that every request it would
 * refuse is refused here first, with a JSON body, before the request is handed to ws (which answers
 * in `text/html`), and before any token work is spent on it.
 *
 * `Sec-WebSocket-Extensions` is not checked: the server does not offer permessage-deflate, so ws
 * never parses it.
 */
export function checkHandshake(request: IncomingMessage): Refusal | undefined {
  if (request.method !== 'GET') {
    return { status: 405, error: `method ${request.method ?? ''} not allowed: a WebSocket upgrade is a GET`, headers: { Allow: 'GET' } };
  }
  const { host } = request.headers;
  if (host === undefined || !isValidHost(host)) return { status: 400, error: 'missing or invalid Host header' };
  if (request.headers.upgrade?.toLowerCase() !== 'websocket') {
    return { status: 426, error: 'expected a WebSocket upgrade', headers: { Upgrade: 'websocket' } };
  }
  const key = request.headers['sec-websocket-key'];
  if (key === undefined || !KEY.test(key)) {
    return { status: 400, error: 'missing or invalid Sec-WebSocket-Key header: expected the base64 of 16 bytes' };
  }
  const version = request.headers['sec-websocket-version'];
  if (version === undefined) return { status: 400, error: 'missing Sec-WebSocket-Version header' };
  if (version !== WEBSOCKET_VERSION) {
    return {
      status: 426,
      error: `unsupported WebSocket version: this server speaks version ${WEBSOCKET_VERSION}`,
      headers: { 'Sec-WebSocket-Version': WEBSOCKET_VERSION },
    };
  }
  const protocols = request.headers['sec-websocket-protocol'];
  if (protocols !== undefined && !isProtocolList(protocols)) {
    return { status: 400, error: 'invalid Sec-WebSocket-Protocol header: expected a comma-separated list of distinct tokens' };
  }
  return undefined;
}

/** A Host header that names a host and, optionally, a port: nothing else (no path, no user). */
export function isValidHost(host: string): boolean {
  const url = URL.canParse(`http://${host}/`) ? new URL(`http://${host}/`) : undefined;
  if (!url) return false;
  return url.hostname === host.replace(/:\d*$/, '').toLowerCase();
}

function isProtocolList(header: string): boolean {
  // Only spaces and tabs surround a name (ws refuses any other white space, so must we).
  const names = header.split(',').map((name) => name.replace(/^[ \t]+|[ \t]+$/g, ''));
  return names.every((name) => TOKEN.test(name)) && new Set(names).size === names.length;
}
