import type { ClientFrame } from '@wsgw/gateway/protocol';
import type { DisconnectReason } from './disconnect-reason.ts';

/** The part of the WebSocket API the client uses: the browser's, and the one `ws` offers in Node. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `ws`'s own event API, present on its sockets only. */
interface NodeWsSocket {
  on(event: 'unexpected-response', listener: (request: unknown, response: { statusCode?: number }) => void): unknown;
  terminate(): void;
}

const OPEN = 1;

/** What one socket reports: each attempt has its own, so a stale socket cannot reach a newer one's state. */
export interface AttemptHandlers {
  open(): void;
  text(data: string): void;
  /** Called once, when the socket has closed or failed to open. */
  end(reason: Omit<Extract<DisconnectReason, { type: 'close' }>, 'opened'> | Extract<DisconnectReason, { type: 'refused' }>): void;
}

export interface SocketAttempt {
  /** Sends a frame if the socket is open; false when it is not. */
  send(frame: ClientFrame): boolean;
  close(code: number, text: string): void;
}

/**
 * Opens one WebSocket and reduces its events to open, text and one end. With `ws` the status of a
 * refused upgrade (401) is read from its `unexpected-response` event; a browser hides it, and its
 * socket closes with 1006 as for any failure to connect.
 */
export function openSocket(WebSocketImpl: WebSocketConstructor, url: string, handlers: AttemptHandlers): SocketAttempt {
  const socket = new WebSocketImpl(url);
  let refusedWith: number | undefined;
  let ended = false;
  const nodeWs = socket as unknown as Partial<NodeWsSocket>;
  if (typeof nodeWs.on === 'function' && typeof nodeWs.terminate === 'function') {
    nodeWs.on('unexpected-response', (_request, response) => {
      refusedWith = response.statusCode;
      // With a listener here ws leaves the handshake to us: terminating ends it and emits close.
      nodeWs.terminate!();
    });
  }
  socket.addEventListener('open', () => handlers.open());
  socket.addEventListener('message', (event: { data: unknown }) => {
    if (typeof event.data === 'string') handlers.text(event.data);
  });
  socket.addEventListener('close', (event: { code: number; reason: string }) => {
    if (ended) return;
    ended = true;
    handlers.end(refusedWith === undefined ? { type: 'close', code: event.code, text: event.reason } : { type: 'refused', status: refusedWith });
  });
  // Every error is followed by a close event, which carries what there is to know.
  socket.addEventListener('error', () => undefined);
  return {
    send(frame) {
      if (socket.readyState !== OPEN) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
    close: (code, text) => socket.close(code, text),
  };
}
