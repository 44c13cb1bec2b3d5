import { WebSocket } from 'ws';
import { CONSOLE_FEED_PROTOCOL, CONSOLE_TOKEN_PROTOCOL_PREFIX, type ConsoleSnapshot } from '../protocol.ts';

export interface FeedClient {
  readonly socket: WebSocket;
  /** Every snapshot received so far, with the size of its frame in bytes. */
  readonly frames: Array<{ snapshot: ConsoleSnapshot; bytes: number }>;
  /** Resolves with the first snapshot (received from now on) that satisfies `predicate`. */
  next(predicate?: (snapshot: ConsoleSnapshot) => boolean, timeoutMs?: number): Promise<ConsoleSnapshot>;
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** The subprotocols a console offers: the feed's, and the operator token it carries. */
export const feedProtocols = (token: string): string[] => [CONSOLE_FEED_PROTOCOL, `${CONSOLE_TOKEN_PROTOCOL_PREFIX}${Buffer.from(token).toString('base64url')}`];

/** Opens `/api/console/feed` as the console does, collecting snapshots. */
export async function openFeed(http: string, token: string): Promise<FeedClient> {
  const socket = new WebSocket(`${http.replace(/^http/, 'ws')}/api/console/feed`, feedProtocols(token));
  const frames: FeedClient['frames'] = [];
  const waiters = new Set<(snapshot: ConsoleSnapshot) => void>();
  socket.on('message', (data: Buffer) => {
    const snapshot = JSON.parse(data.toString()) as ConsoleSnapshot;
    frames.push({ snapshot, bytes: data.length });
    for (const waiter of waiters) waiter(snapshot);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    frames,
    closed,
    next(predicate = () => true, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching snapshot within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = (snapshot: ConsoleSnapshot) => {
          if (!predicate(snapshot)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(snapshot);
        };
        waiters.add(check);
      });
    },
    close: () => socket.close(),
  };
}
