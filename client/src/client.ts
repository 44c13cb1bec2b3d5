import type { PushFrame, ResumedFrame, ServerFrame, StreamPosition, TagsFrame, WelcomeFrame } from '@wsgw/gateway/protocol';
import { backoffDelay } from './backoff.ts';
import type { ClientState, LostStream, StateChange, WsgwClientEvents, WsgwPush } from './client-events.ts';
import { connectUrl } from './connect-url.ts';
import { isFinal, type DisconnectReason } from './disconnect-reason.ts';
import { createEmitter, type Listener } from './event-emitter.ts';
import { createRecentIds, DEFAULT_RECENT_IDS } from './recent-ids.ts';
import { openSocket, type SocketAttempt, type WebSocketConstructor } from './socket-attempt.ts';
import { createStreamPositions, DEFAULT_MAX_AHEAD } from './stream-positions.ts';

/** What a token provider is told about the attempt it is asked a token for. */
export interface TokenRequest {
  /** 0 for the very first attempt; n for the nth retry since the last connection that opened. */
  retry: number;
  /** Why the previous connection or attempt ended; absent on the very first. */
  lastReason?: DisconnectReason;
  /**
   * True when the token is for the open connection, whose token expired (the gateway sent
   * `refresh`): it is sent on that connection, and no new attempt is made (`retry` is 0).
   */
  refresh?: true;
}

/**
 * Called before every attempt, so an expired token is replaced on reconnect, and when the open
 * connection's token expires (`request.refresh`). Returning null or undefined stops the client
 * (state `closed`, reason `no-token`); throwing counts as a failed attempt and is retried with
 * backoff (on a refresh: reported as an error, and the gateway closes the connection with 4003
 * once its grace is over, after which the client reconnects).
 */
export type TokenProvider = (request: TokenRequest) => string | null | undefined | Promise<string | null | undefined>;

export interface WsgwClientOptions {
  /** The gateway's WebSocket endpoint, `wss://host/ws`. */
  url: string;
  /**
   * A fixed token; give this or `tokenProvider`. Once it expires the gateway closes the connection
   * with 4003 and the client stops (state `closed`): a fixed token cannot be renewed.
   */
  token?: string;
  tokenProvider?: TokenProvider;
  /** The WebSocket class: `ws`'s in Node 20; defaults to the global `WebSocket` (browsers, Node 22+). */
  WebSocket?: WebSocketConstructor;
  /** Ack each push once its `push` listeners have run (default true); with false call `push.ack()`. */
  autoAck?: boolean;
  /** Push ids remembered to drop duplicates (default 10,000). */
  recentIds?: number;
  /** Positions held above a gap, per stream (default 1024). */
  maxAhead?: number;
  /** Random source of the backoff jitter, [0, 1) (default Math.random). */
  random?: () => number;
}

export interface WsgwClient {
  on<K extends keyof WsgwClientEvents>(type: K, listener: Listener<WsgwClientEvents[K]>): () => void;
  off<K extends keyof WsgwClientEvents>(type: K, listener: Listener<WsgwClientEvents[K]>): void;
  readonly state: ClientState;
  /** The welcome of the open connection; undefined while none is open. */
  readonly welcome: WelcomeFrame | undefined;
  /** Acks a push by id on the open connection; false when none is open. */
  ack(id: string): boolean;
  /** Where the client stands in each stream: what the next resume will send. */
  positions(): Record<string, StreamPosition>;
  /** Closes the connection and stops for good. */
  close(): void;
}

/**
 * A client of the gateway's `/ws`: connects with a token, reconnects with backoff and full
 * jitter, resumes its streams from their watermarks, drops duplicate pushes and acks them.
 * It starts connecting in a microtask, so listeners added right after creation see every state.
 */
export function createWsgwClient(options: WsgwClientOptions): WsgwClient {
  const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WebSocketImpl) throw new TypeError('no WebSocket implementation: pass one as options.WebSocket (in Node 20, the WebSocket class of ws)');
  if (options.token === undefined && options.tokenProvider === undefined) throw new TypeError('give options.token or options.tokenProvider');
  new URL(options.url); // an invalid URL fails here, not on every attempt
  const tokenOf: TokenProvider = options.tokenProvider ?? (() => options.token);
  const autoAck = options.autoAck ?? true;
  const random = options.random ?? Math.random;

  const emitter = createEmitter<WsgwClientEvents>((error, type) => {
    const failure = toError(error);
    // A throwing error listener, or an error nobody listens to, is the application's bug: surface it.
    if (type === 'error' || emitter.listenerCount('error') === 0) setTimeout(() => { throw failure; });
    else emitter.emit('error', failure);
  });
  const positions = createStreamPositions(options.maxAhead ?? DEFAULT_MAX_AHEAD);
  const recent = createRecentIds(options.recentIds ?? DEFAULT_RECENT_IDS);

  let state: ClientState = 'connecting';
  let stopped = false;
  /** Retries since the last connection that opened (the backoff's exponent). */
  let failures = 0;
  let lastReason: DisconnectReason | undefined;
  let socket: SocketAttempt | undefined;
  let welcome: WelcomeFrame | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const setState = (change: StateChange) => {
    state = change.state;
    emitter.emit('state', change);
  };
  const reportError = (error: unknown) => {
    if (emitter.listenerCount('error') > 0) emitter.emit('error', toError(error));
  };

  const stop = (reason: DisconnectReason) => {
    stopped = true;
    clearTimeout(timer);
    setState({ state: 'closed', reason });
  };
  const lost = (reason: DisconnectReason) => {
    lastReason = reason;
    if (isFinal(reason, options.tokenProvider !== undefined)) return stop(reason);
    const delayMs = backoffDelay(failures, random);
    failures += 1;
    setState({ state: 'reconnecting', reason, retry: failures, delayMs });
    timer = setTimeout(attempt, delayMs);
  };

  async function attempt() {
    if (stopped) return;
    setState({ state: 'connecting', retry: failures });
    let token: string | null | undefined;
    try {
      token = await tokenOf(lastReason ? { retry: failures, lastReason } : { retry: failures });
    } catch (error) {
      if (stopped) return;
      reportError(error);
      return lost({ type: 'error', error: toError(error) });
    }
    if (stopped) return;
    if (token === null || token === undefined) return stop({ type: 'no-token' });
    // Only a client that holds positions resumes; the very first connection starts from the welcome.
    const resume = positions.size > 0 ? positions.snapshot() : undefined;
    try {
      socket = connect(connectUrl(options.url, token, resume !== undefined), resume);
    } catch (error) {
      reportError(error);
      lost({ type: 'error', error: toError(error) });
    }
  }

  function connect(url: string, resume: Record<string, StreamPosition> | undefined): SocketAttempt {
    let opened = false;
    const current = openSocket(WebSocketImpl!, url, {
      open() {
        if (socket !== current) return;
        // The resume must be the connection's first frame: the gateway holds live pushes until it has replayed.
        if (resume) current.send({ type: 'resume', streams: resume });
      },
      text(data) {
        if (socket !== current) return;
        const frame = parseFrame(data);
        if (!frame) return reportError(new Error(`unreadable frame from the gateway: ${data.slice(0, 100)}`));
        if (frame.type === 'welcome') {
          opened = true;
          onWelcome(frame, resume);
        } else if (frame.type === 'push') onPush(frame, current);
        else if (frame.type === 'resumed') onResumed(frame, resume ?? {});
        else if (frame.type === 'refresh') void renewToken(current);
        else if (frame.type === 'token_refused') reportError(new Error(`gateway refused the new token: ${frame.error}`));
        else if (frame.type === 'tags') onTags(frame);
        else if (frame.type === 'error') reportError(new Error(`gateway: ${frame.error}`));
      },
      end(reason) {
        if (socket !== current) return;
        socket = undefined;
        welcome = undefined;
        if (stopped) return;
        lost(reason.type === 'close' ? { ...reason, opened } : reason);
      },
    });
    return current;
  }

  /** Answers the gateway's `refresh` with a token from the provider, on the connection that asked. */
  async function renewToken(on: SocketAttempt) {
    // A fixed token is the expired one: the gateway closes the connection with 4003 at the end of its grace.
    if (!options.tokenProvider) return;
    let token: string | null | undefined;
    try {
      token = await options.tokenProvider({ retry: 0, refresh: true });
    } catch (error) {
      return reportError(error);
    }
    if (stopped || socket !== on) return;
    if (token === null || token === undefined) {
      socket = undefined;
      welcome = undefined;
      stop({ type: 'no-token' });
      return on.close(1000, 'no token');
    }
    on.send({ type: 'token', token });
  }

  function onWelcome(frame: WelcomeFrame, resume: Record<string, StreamPosition> | undefined) {
    failures = 0;
    welcome = frame;
    if (frame.streams) {
      for (const [stream, position] of Object.entries(frame.streams)) {
        // A stream being resumed keeps its watermark: the replay, then the resumed frame, move it.
        if (!resume?.[stream]) positions.adopt(stream, position);
      }
      for (const [stream] of Object.entries(positions.snapshot())) if (!(stream in frame.streams)) positions.forget(stream);
    }
    setState({ state: 'open', welcome: frame });
  }

  function onPush(frame: PushFrame, on: SocketAttempt) {
    for (const [stream, seq] of Object.entries(frame.pos ?? {})) positions.see(stream, seq);
    let acked = false;
    const ack = () => {
      if (acked) return true;
      acked = socket === on && on.send({ type: 'ack', id: frame.id });
      return acked;
    };
    // A duplicate (replayed after it was seen live) reaches no listener; with auto-ack it is acked again.
    if (!recent.remember(frame.id)) {
      if (autoAck) ack();
      return;
    }
    const push: WsgwPush = { id: frame.id, ts: frame.ts, data: frame.data, ack };
    if (frame.pos) push.pos = frame.pos;
    if (frame.trace) push.trace = frame.trace;
    emitter.emit('push', push);
    if (autoAck) ack();
  }

  function onResumed(frame: ResumedFrame, resume: Record<string, StreamPosition>) {
    const lostStreams: Record<string, LostStream> = {};
    for (const [stream, recovery] of Object.entries(frame.streams)) {
      // Recovered, the replay brought the stream to `seq`; lost, the application resynchronises
      // and the stream continues from where it stands now.
      positions.adopt(stream, { epoch: recovery.epoch, seq: recovery.seq });
      if (!recovery.recovered) lostStreams[stream] = recovery;
    }
    // A stream the resume named that the answer leaves out is not the connection's.
    for (const stream of Object.keys(resume)) if (!(stream in frame.streams)) positions.forget(stream);
    emitter.emit('resumed', { lost: lostStreams, streams: frame.streams });
  }

  function onTags(frame: TagsFrame) {
    // A new stream is resumed from where it stood when the connection started receiving it; one
    // already tracked (a push of it arrived first) keeps its watermark. A removed one is not resumed.
    for (const [stream, position] of Object.entries(frame.streams ?? {})) if (!positions.has(stream)) positions.adopt(stream, position);
    for (const stream of frame.removed) positions.forget(stream);
    emitter.emit('tags', { tags: frame.tags, added: frame.added, removed: frame.removed });
  }

  queueMicrotask(() => void attempt());

  return {
    on: emitter.on,
    off: emitter.off,
    get state() {
      return state;
    },
    get welcome() {
      return welcome;
    },
    ack: (id) => socket?.send({ type: 'ack', id }) ?? false,
    positions: () => positions.snapshot(),
    close() {
      if (stopped) return;
      const open = socket;
      socket = undefined;
      welcome = undefined;
      stop({ type: 'client' });
      open?.close(1000, 'client closed');
    },
  };
}

function parseFrame(data: string): ServerFrame | undefined {
  try {
    const frame = JSON.parse(data) as ServerFrame | null;
    return typeof frame === 'object' && frame !== null && typeof frame.type === 'string' ? frame : undefined;
  } catch {
    return undefined;
  }
}

const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
