import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONSOLE_FEED_PROTOCOL } from '@wsgw/gateway/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { feedProtocols } from '../transport/token-protocol.ts';

export interface FeedServer {
  /** `ws://127.0.0.1:<port>/api/console/feed` */
  url: string;
  /** The subprotocol list of every upgrade request, refused ones included. */
  offered: string[][];
  /** Server side of every accepted socket, in order. */
  connected: WebSocket[];
  close(): Promise<void>;
}

/**
 * A stand-in feed endpoint on port 0 speaking the feed's wire protocol: it accepts the subprotocol
 * pair carrying `token` and refuses the upgrade with 401 otherwise, as the gateway does. Tests send
 * frames through `connected`.
 */
export async function startFeedServer(token: string): Promise<FeedServer> {
  const [, tokenProtocol] = feedProtocols(token);
  const offered: string[][] = [];
  const connected: WebSocket[] = [];
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (protocols) => (protocols.has(CONSOLE_FEED_PROTOCOL) ? CONSOLE_FEED_PROTOCOL : false),
    verifyClient: ({ req }: { req: IncomingMessage }, done: (ok: boolean, code?: number) => void) => {
      const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim());
      offered.push(protocols);
      done(protocols.includes(tokenProtocol), 401);
    },
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (socket) => connected.push(socket));
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/api/console/feed`,
    offered,
    connected,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of connected) socket.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** Resolves once `check()` holds, polling every 10 ms; rejects after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
