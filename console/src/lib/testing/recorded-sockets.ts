import { WebSocket } from 'ws';
import type { WebSocketConstructor } from '../transport/feed-socket.ts';

/** The sockets a feed made, in order, for a test that has to wait on one of them. */
export interface RecordedSockets {
  /** Pass as the feed's `WebSocketImpl`: a `ws` WebSocket that records itself. */
  readonly WebSocketImpl: WebSocketConstructor;
  readonly sockets: WebSocket[];
  /**
   * Resolves once `socket` has closed. The feed listened first, so its own close handling has run
   * by then: the last thing a closed socket can make the feed do is done.
   */
  closed(socket: WebSocket): Promise<void>;
}

export function recordSockets(): RecordedSockets {
  const sockets: WebSocket[] = [];
  class RecordedWebSocket extends WebSocket {
    constructor(url: string, protocols: string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  return {
    WebSocketImpl: RecordedWebSocket,
    sockets,
    closed: (socket) =>
      new Promise((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) resolve();
        else socket.once('close', () => resolve());
      }),
  };
}
