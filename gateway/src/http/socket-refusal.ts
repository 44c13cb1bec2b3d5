import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** An answer written straight to a socket: status, JSON error text, extra headers. */
export interface Refusal {
  status: number;
  error: string;
  headers?: Record<string, string>;
}

/**
 * Answers on the raw socket, where no response object exists (an upgrade request, a request
 * Node's parser refused), with the refusal as a JSON error body, the way every other endpoint
 * answers, and closes the socket.
 */
export function refuseOnSocket(socket: Duplex, refusal: Refusal): void {
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
