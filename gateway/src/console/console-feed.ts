import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { secretsEqual } from '../auth/secret-compare.ts';
import { CloseCode, CONSOLE_FEED_PROTOCOL, CONSOLE_TOKEN_PROTOCOL_PREFIX, type ConsoleSnapshot } from '../protocol.ts';

/** A viewer this far behind is cut: the next snapshot replaces anything it missed anyway. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface ConsoleFeed {
  /** Handles an upgrade to `/api/console/feed`; `refuse` answers a bad one with a JSON error. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, refuse: (status: number, error: string) => void): void;
  /** Viewers connected now. */
  readonly size: number;
  /** Closes every viewer with 1001 and stops the timer. */
  close(): void;
}

export interface ConsoleFeedOptions {
  adminToken: string;
  snapshot(): ConsoleSnapshot;
  intervalMs?: number;
  logger: Logger;
}

/**
 * `/api/console/feed`: one JSON snapshot per second to every viewer, encoded once. Nothing is sent
 * per event, so the feed costs the same whatever the number of connections; the timer runs only
 * while someone watches.
 */
export function createConsoleFeed(options: ConsoleFeedOptions): ConsoleFeed {
  const { logger } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const viewers = new Set<WebSocket>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096,
    handleProtocols: (protocols) => (protocols.has(CONSOLE_FEED_PROTOCOL) ? CONSOLE_FEED_PROTOCOL : false),
  });
  let timer: NodeJS.Timeout | undefined;
  let latest: string | undefined;

  const send = (frame: string, viewer: WebSocket) => {
    if (viewer.readyState !== WebSocket.OPEN) return;
    if (viewer.bufferedAmount > MAX_BUFFERED_BYTES) return viewer.close(CloseCode.TryAgainLater, 'slow consumer');
    viewer.send(frame);
  };

  const tick = () => {
    latest = JSON.stringify(options.snapshot());
    for (const viewer of viewers) send(latest, viewer);
  };

  const watch = (viewer: WebSocket) => {
    viewers.add(viewer);
    // The console sends nothing; anything it does send is ignored rather than parsed.
    viewer.on('error', (error) => logger.debug({ err: error.message }, 'console feed socket error'));
    viewer.on('close', () => {
      viewers.delete(viewer);
      if (viewers.size === 0) {
        clearInterval(timer);
        timer = undefined;
        latest = undefined;
      }
    });
    // A new viewer gets the current second's snapshot at once, without building an extra one.
    if (latest === undefined) tick();
    else send(latest, viewer);
    timer ??= setInterval(tick, intervalMs);
  };

  return {
    handleUpgrade(request, socket, head, refuse) {
      const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      if (!offered.includes(CONSOLE_FEED_PROTOCOL)) return refuse(400, `expected the ${CONSOLE_FEED_PROTOCOL} subprotocol`);
      const token = tokenFrom(offered);
      if (token === undefined || !secretsEqual(token, options.adminToken)) return refuse(401, 'missing or invalid operator token');
      wss.handleUpgrade(request, socket, head, watch);
    },
    get size() {
      return viewers.size;
    },
    close() {
      clearInterval(timer);
      timer = undefined;
      for (const viewer of viewers) viewer.close(CloseCode.GoingAway, 'going away');
      // A viewer that never answers the close frame must not hold the process open.
      setTimeout(() => {
        for (const viewer of viewers) viewer.terminate();
      }, 1000).unref();
      wss.close();
    },
  };
}

/** The operator token from the `wsgw.token.<base64url>` entry of the offered subprotocols. */
function tokenFrom(offered: string[]): string | undefined {
  const entry = offered.find((p) => p.startsWith(CONSOLE_TOKEN_PROTOCOL_PREFIX));
  if (!entry) return undefined;
  const encoded = entry.slice(CONSOLE_TOKEN_PROTOCOL_PREFIX.length);
  if (!/^[\w-]+$/.test(encoded)) return undefined;
  return Buffer.from(encoded, 'base64url').toString('utf8');
}
