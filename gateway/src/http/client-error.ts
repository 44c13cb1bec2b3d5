import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { RequestError } from '@hono/node-server';
import type { Logger } from 'pino';
import { refuseOnSocket } from './socket-refusal.ts';

/** Node's `clientError` error: a parser code such as `HPE_HEADER_OVERFLOW`, or a socket error code. */
type ClientError = Error & { code?: string };

/**
 * Status for each request Node's HTTP parser rejects: headers over the limit (16 KiB by default,
 * request line included) are 431, chunk extensions over it 413, a request not received within
 * `requestTimeout` 408, every other parse error (bad chunk size, bad Content-Length, NUL or other
 * forbidden bytes in a header, a broken request line) 400.
 */
function statusOf(code: string | undefined): { status: number; error: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, error: 'request headers too large' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, error: 'chunk extensions too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, error: 'request not received in time' };
    default:
      return { status: 400, error: 'malformed HTTP request' };
  }
}

/**
 * The server's `clientError` listener: answers a request Node could not parse with a JSON error
 * and closes the connection. A reset connection, or one whose response is being written, is only
 * destroyed. Logs the parser code, never the bytes received (they may hold a token).
 */
export function createClientErrorHandler(logger: Logger): (error: ClientError, socket: Duplex) => void {
  return (error, socket) => {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    // An answer may follow a complete response (the error is in a pipelined request), never
    // interrupt one that is still being written.
    if (error.code === 'ECONNRESET' || !socket.writable || (inFlight?.headersSent && !inFlight.writableEnded)) {
      socket.destroy();
      return;
    }
    const { status, error: message } = statusOf(error.code);
    logger.debug({ code: error.code, status }, 'malformed HTTP request');
    // The parser is done with this connection: answered, then closed.
    refuseOnSocket(socket, { status, error: message });
  };
}

/**
 * @hono/node-server's answer to a request it cannot turn into a `Request` (no Host, an invalid
 * Host, a bad absolute URL): a JSON 400 with its reason instead of an empty one. Anything else
 * escaping the app is a 500.
 */
export function requestErrorResponse(error: unknown): Response {
  if (!(error instanceof RequestError)) return jsonError(500, 'internal error');
  // Its own messages name the fault; a URL the Host header broke comes wrapped as "Invalid URL".
  return jsonError(400, error.cause === undefined ? error.message.toLowerCase() : 'invalid Host header or request target');
}

function jsonError(status: number, error: string): Response {
  return new Response(JSON.stringify({ error }), { status, headers: { 'Content-Type': 'application/json' } });
}
