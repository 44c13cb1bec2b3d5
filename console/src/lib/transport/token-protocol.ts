import { CONSOLE_FEED_PROTOCOL, CONSOLE_TOKEN_PROTOCOL_PREFIX } from '@wsgw/gateway/protocol';

/**
 * Base64url of the UTF-8 bytes of `text`, without padding. Built on TextEncoder and btoa so the
 * same code runs in the browser and in Node 20 (where both are globals).
 */
export function base64UrlEncode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The subprotocols the console offers when opening `/api/console/feed`: browsers cannot set an
 * `Authorization` header on a WebSocket, so the operator token travels as the second entry.
 */
export function feedProtocols(token: string): [string, string] {
  return [CONSOLE_FEED_PROTOCOL, CONSOLE_TOKEN_PROTOCOL_PREFIX + base64UrlEncode(token)];
}
