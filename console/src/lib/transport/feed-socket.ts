import type { ConsoleSnapshot } from '@wsgw/gateway/protocol';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { parseSnapshotFrame } from './snapshot-frame.ts';
import { feedProtocols } from './token-protocol.ts';

/** The part of a WebSocket the feed uses: the browser's and the `ws` package's both fit. */
export interface FeedWebSocket {
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number }) => void): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols: string[]) => FeedWebSocket;

export type FeedState = 'connecting' | 'open' | 'disconnected';

export interface FeedStatus {
  state: FeedState;
  /** Local epoch ms when the last snapshot arrived, on this socket or an earlier one. */
  lastSnapshotAt: number | undefined;
  /** Local epoch ms of the next connection attempt, while disconnected. */
  retryAt: number | undefined;
  /** Close code of the last socket that ended (1006 when the upgrade was refused or the network failed). */
  closeCode: number | undefined;
  /** Attempts that ended without a snapshot since the last one that brought a snapshot. */
  failures: number;
}

/** The status of a feed socket that has not started. */
export const INITIAL_FEED_STATUS: FeedStatus = Object.freeze({
  state: 'disconnected',
  lastSnapshotAt: undefined,
  retryAt: undefined,
  closeCode: undefined,
  failures: 0,
});

export interface FeedSocketOptions {
  /** `ws:` or `wss:` URL of `/api/console/feed`. */
  url: string;
  /** The operator token, sent in the subprotocol list. */
  token: string;
  /** Defaults to globalThis.WebSocket; in Node pass the `ws` package's WebSocket. */
  WebSocketImpl?: WebSocketConstructor;
  backoff?: BackoffOptions;
  /**
   * An open socket silent this long (ms) is treated as dead and replaced: the server sends every
   * second, and a half-open TCP connection would otherwise look open for minutes. Default 5000.
   */
  silenceMs?: number;
  onSnapshot?(snapshot: ConsoleSnapshot): void;
  onStatus?(status: FeedStatus): void;
  /** Clock, Date.now by default. */
  now?(): number;
}

export interface FeedSocket {
  /** Connects, and keeps reconnecting until stop(). */
  start(): void;
  /** Closes the socket and cancels any pending retry; start() may be called again. */
  stop(): void;
  readonly status: FeedStatus;
}

/**
 * The console's one live connection: a WebSocket to the snapshot feed that reconnects with
 * jittered exponential backoff. Events of a socket that has been replaced are ignored, so a late
 * close or message from an old socket never disturbs the current one.
 */
export function createFeedSocket(options: FeedSocketOptions): FeedSocket {
  const now = options.now ?? Date.now;
  const silenceMs = options.silenceMs ?? 5000;
  let status: FeedStatus = INITIAL_FEED_STATUS;
  let running = false;
  let current: FeedWebSocket | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let silenceTimer: ReturnType<typeof setTimeout> | undefined;

  const update = (patch: Partial<FeedStatus>) => {
    status = { ...status, ...patch };
    options.onStatus?.(status);
  };

  const clearTimers = () => {
    clearTimeout(retryTimer);
    clearTimeout(silenceTimer);
    retryTimer = silenceTimer = undefined;
  };

  /** The current socket ended (or is given up on): schedule the next attempt. */
  const lose = (closeCode: number | undefined) => {
    current = undefined;
    clearTimers();
    if (!running) return;
    const delay = backoffDelay(status.failures, options.backoff);
    retryTimer = setTimeout(connect, delay);
    update({ state: 'disconnected', closeCode, retryAt: now() + delay, failures: status.failures + 1 });
  };

  const watchSilence = (socket: FeedWebSocket) => {
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => {
      if (socket !== current) return;
      lose(undefined);
      socket.close(4000, 'no snapshot');
    }, silenceMs);
  };

  const connect = () => {
    retryTimer = undefined;
    update({ state: 'connecting', retryAt: undefined });
    // Node 20 has no global WebSocket: there the caller passes one.
    const WebSocketImpl: WebSocketConstructor | undefined = options.WebSocketImpl ?? globalThis.WebSocket;
    let socket: FeedWebSocket;
    try {
      if (!WebSocketImpl) throw new Error('no WebSocket implementation');
      socket = new WebSocketImpl(options.url, feedProtocols(options.token));
    } catch {
      // A malformed URL throws synchronously: retry like any failure rather than stop for good.
      return lose(undefined);
    }
    current = socket;
    socket.addEventListener('open', () => {
      if (socket !== current) return;
      update({ state: 'open' });
      watchSilence(socket);
    });
    socket.addEventListener('message', (event) => {
      if (socket !== current) return;
      const snapshot = parseSnapshotFrame(event.data);
      if (!snapshot) return;
      watchSilence(socket);
      // Backoff restarts only once a snapshot arrives: a socket that opens and then closes at once
      // (a gateway going down) keeps growing the delay.
      update({ lastSnapshotAt: now(), failures: 0 });
      options.onSnapshot?.(snapshot);
    });
    // Browsers report a refused upgrade as an error followed by close 1006; the close decides.
    // Listening to errors also keeps Node's `ws` from throwing an unhandled 'error' event.
    socket.addEventListener('error', () => {});
    socket.addEventListener('close', (event) => {
      if (socket !== current) return;
      lose(event.code);
    });
  };

  return {
    start() {
      if (running) return;
      running = true;
      connect();
    },
    stop() {
      if (!running) return;
      running = false;
      const socket = current;
      current = undefined;
      clearTimers();
      socket?.close(1000, 'console closed');
      update({ state: 'disconnected', retryAt: undefined });
    },
    get status() {
      return status;
    },
  };
}
