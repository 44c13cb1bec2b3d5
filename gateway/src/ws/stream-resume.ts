import type { Logger } from 'pino';
import type { BusMessage, HistoryRead, StreamHistory, StreamPositions } from '../bus/bus.ts';
import type { Connection } from '../hub/connection.ts';
import type { Hub } from '../hub/hub.ts';
import { preparePush, variantOf, type QueuedFrame } from '../hub/prepared-push.ts';
import type { ResumeFrame, ResumedFrame, StreamRecovery, WelcomeFrame } from '../protocol.ts';
import { streamIndexOf, streamsOfConnection } from '../push/streams.ts';
import { epochMs } from '../telemetry/clock.ts';
import type { StreamInterest } from '../cluster/stream-interest.ts';
import type { GatewayObserver, ResumeReport } from '../telemetry/gateway-observer.ts';

/**
 * How long a connection opened with `?resume=1` keeps its live pushes aside waiting for its
 * `resume` frame, ms; after that (or at any other first frame) they are written.
 */
export const RESUME_WAIT_MS = 10_000;

/**
 * How long a welcome waits for the bus to route the connection's streams to this node, ms. Past
 * it (the bus is down or slow) the welcome goes out without positions: positions read before the
 * node hears a stream could name pushes that never reach the connection.
 */
export const WATCH_WAIT_MS = 2000;

const SETTLED = Promise.resolve();

export interface StreamResumeOptions {
  nodeId: string;
  hub: Hub;
  history: StreamHistory;
  /** Routes the connection's streams to this node while it is open. */
  interest: Pick<StreamInterest, 'hold' | 'release'>;
  observer: GatewayObserver;
  logger: Logger;
}

/**
 * Where a connection stood at its welcome, kept until its first frame: a `resume` replays up to
 * these positions, since the pushes after them reach the connection live.
 */
interface Welcomed {
  /** The connection's tags when its welcome's positions were read: the order of `seqs`. */
  tags: readonly string[];
  /**
   * The seq of each of the connection's streams at its welcome, in `streamsOfConnection` order
   * (an array: objects keyed by user ids would each get a shape of their own); undefined while the
   * bus is asked for them, or when it could not say.
   */
  seqs: number[] | undefined;
  /** The welcome is sent. */
  sent: boolean;
  /** Opened with `?resume=1`: live pushes stay aside until the resume has been replayed. */
  expectsResume: boolean;
  /** A resume that arrived before the welcome was sent. */
  early?: ResumeFrame;
  timer?: NodeJS.Timeout;
}

export interface StreamResume {
  /** Welcomes a connection the hub registered held: where its streams stand, then its live pushes. */
  open(connection: Connection, expectsResume: boolean): void;
  /**
   * The connection's first frame, and any `resume` after it. Returns false for a `resume` that
   * is not the first frame (the caller answers with an error frame).
   */
  frame(connection: Connection, resume: ResumeFrame | undefined): boolean;
  closed(connection: Connection): void;
  /** Resolves once the connection's welcome is sent, or it closed (at once when that is past). */
  welcomed(connection: Connection): Promise<void>;
}

/**
 * The streams side of a connection: its welcome with the positions of its streams, and the replay
 * of a `resume` from history. Live pushes never overtake the welcome, and, for a connection that
 * announced its resume, never overtake or repeat a replayed push: the hub holds them aside until
 * the replay is written, then writes those after the replayed positions.
 */
export function createStreamResume(options: StreamResumeOptions): StreamResume {
  const { nodeId, hub, history, interest, observer, logger } = options;
  const welcomed = new WeakMap<Connection, Welcomed>();
  /** Connections whose welcome is not sent yet, with what settles their `welcomed` promise. */
  const unwelcomed = new WeakMap<Connection, { done: Promise<void>; settle: () => void }>();
  const settleWelcome = (connection: Connection) => {
    unwelcomed.get(connection)?.settle();
    unwelcomed.delete(connection);
  };

  const open = async (connection: Connection, state: Welcomed) => {
    state.tags = hub.tagsOf(connection);
    const streams = streamsOfConnection(connection.user, state.tags);
    let positions: StreamPositions | undefined;
    let timer: NodeJS.Timeout | undefined;
    const routed = await Promise.race([
      interest.hold(connection, streams).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), WATCH_WAIT_MS).unref())),
    ]);
    clearTimeout(timer);
    try {
      // Read once the node hears the streams: every push after these positions reaches it.
      if (routed) positions = await history.positions(streams);
    } catch (error) {
      logger.debug({ connection: connection.id, err: error }, 'stream positions unavailable: welcome without them');
    }
    if (hub.closeReasonOf(connection) !== undefined || welcomed.get(connection) !== state) return;
    const welcome: WelcomeFrame = { type: 'welcome', connection: connection.id, user: connection.user, node: nodeId };
    if (positions) {
      welcome.streams = positions;
      state.seqs = streams.map((stream) => positions[stream]?.seq ?? 0);
    }
    connection.ws.send(JSON.stringify(welcome));
    state.sent = true;
    settleWelcome(connection);
    if (state.early) return void resume(connection, state, state.early);
    if (!state.expectsResume) return hub.release(connection, after(connection, state));
    state.timer = setTimeout(() => {
      if (welcomed.get(connection) !== state) return;
      welcomed.delete(connection);
      hub.release(connection, after(connection, state));
    }, RESUME_WAIT_MS).unref();
  };

  const resume = async (connection: Connection, state: Welcomed, frame: ResumeFrame) => {
    welcomed.delete(connection);
    clearTimeout(state.timer);
    const startedAt = epochMs();
    hub.hold(connection);
    // The streams it holds now: a tag added since the welcome is resumed too (tags frame positions).
    const own = new Set(streamsOfConnection(connection.user, hub.tagsOf(connection)));
    const asked = Object.entries(frame.streams).filter(([stream]) => own.has(stream));
    const reads = await Promise.all(asked.map(([stream, position]) => readOrRefuse(history, stream, position)));
    if (hub.closeReasonOf(connection) !== undefined) return;
    const { messages, counts } = replayOrder(connection, asked, reads, state);
    const frames = messages.map((message) => frameOf(message, own));
    hub.replay(connection, frames);
    const streams: Record<string, StreamRecovery> = {};
    const results: ResumeReport['results'] = [];
    asked.forEach(([stream], i) => {
      const read = reads[i]!;
      const replayed = counts.get(stream) ?? 0;
      // Where the replay leaves the client: the welcome's position, since what follows it comes live.
      const { epoch } = read.position;
      const seq = Math.min(read.position.seq, welcomeSeq(connection, state, stream) ?? Infinity);
      streams[stream] =
        read.result === 'recovered' ? { recovered: true, replayed, epoch, seq } : { recovered: false, replayed, epoch, seq, reason: read.reason };
      results.push({ stream, result: read.result, replayed });
    });
    const answer: ResumedFrame = { type: 'resumed', streams };
    connection.ws.send(JSON.stringify(answer));
    const replayedIds = new Set(messages.map((message) => message.push.id));
    const live = after(connection, state);
    hub.release(connection, (queued) => !replayedIds.has(queued.prepared.push.id) && live(queued));
    observer.resumed({ connection, results, replayed: messages, startedAt, endedAt: epochMs() });
    logger.debug({ connection: connection.id, replayed: messages.length, streams: results.length }, 'connection resumed');
  };

  return {
    open(connection, expectsResume) {
      const state: Welcomed = { tags: connection.tags, seqs: undefined, sent: false, expectsResume };
      welcomed.set(connection, state);
      let settle = () => undefined as void;
      const done = new Promise<void>((resolve) => (settle = resolve));
      unwelcomed.set(connection, { done, settle });
      // Runs up to its first await now: the streams are held before any close can release them.
      void open(connection, state);
    },
    frame(connection, frame) {
      const state = welcomed.get(connection);
      if (!state) return frame === undefined;
      if (frame && !state.sent) {
        state.early = frame;
        return true;
      }
      if (frame) {
        void resume(connection, state, frame);
        return true;
      }
      // Any other first frame: the client does not resume.
      welcomed.delete(connection);
      clearTimeout(state.timer);
      if (state.sent && state.expectsResume) hub.release(connection, after(connection, state));
      return true;
    },
    welcomed: (connection) => unwelcomed.get(connection)?.done ?? SETTLED,
    closed(connection) {
      settleWelcome(connection);
      interest.release(connection);
      const state = welcomed.get(connection);
      if (state) clearTimeout(state.timer);
      welcomed.delete(connection);
    },
  };
}

type StreamRead = HistoryRead & { reason: string };

/** A stream's history after a position; a bus that cannot be read counts as a gap, with why. */
async function readOrRefuse(history: StreamHistory, stream: string, position: { epoch: string; seq: number }): Promise<StreamRead> {
  try {
    const read = await history.read(stream, position);
    const reason = read.result === 'gap' ? 'gap older than the history' : read.result === 'unknown_epoch' ? 'unknown epoch: the history was lost since' : '';
    return { ...read, reason };
  } catch (error) {
    return { result: 'gap', entries: [], position, reason: `the history could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * The pushes to replay, each once however many of the streams hold it, in the order they were
 * accepted. Only those up to the welcome's positions: the connection was registered before its
 * welcome's positions were read, so every push after them reaches it live.
 */
function replayOrder(connection: Connection, asked: Array<[string, unknown]>, reads: StreamRead[], welcome: Welcomed) {
  const byId = new Map<string, BusMessage>();
  const counts = new Map<string, number>();
  asked.forEach(([stream], i) => {
    const until = welcomeSeq(connection, welcome, stream) ?? Infinity;
    let count = 0;
    for (const entry of reads[i]!.entries) {
      if (entry.seq > until) break;
      count += 1;
      if (!byId.has(entry.message.push.id)) byId.set(entry.message.push.id, entry.message);
    }
    counts.set(stream, count);
  });
  const messages = [...byId.values()].sort((a, b) => a.push.acceptedAt - b.push.acceptedAt);
  return { messages, counts };
}

/** A replayed push's frame, with its positions in the connection's streams. */
function frameOf(message: BusMessage, own: ReadonlySet<string>): QueuedFrame {
  const prepared = preparePush(message.push, message.positions, epochMs());
  return variantOf(prepared, Object.keys(message.positions).filter((stream) => own.has(stream)));
}

/**
 * Keeps a held frame unless each of its positions is at or before the welcome's (the push was
 * appended before the connection's start, or is in the replay). A frame without positions (its push
 * was not appended) is kept.
 */
function after(connection: Connection, welcome: Welcomed): (queued: QueuedFrame) => boolean {
  if (!welcome.seqs) return () => true;
  return (queued) => {
    let positioned = false;
    for (const stream in queued.pos) {
      positioned = true;
      const start = welcomeSeq(connection, welcome, stream);
      if (start === undefined || queued.pos[stream]! > start) return true;
    }
    return !positioned;
  };
}

/** The seq of one of the connection's streams at its welcome (see `Welcomed.seqs` for the order). */
function welcomeSeq(connection: Pick<Connection, 'user'>, welcome: Welcomed, stream: string): number | undefined {
  const index = welcome.seqs ? streamIndexOf(connection.user, welcome.tags, stream) : -1;
  return index < 0 ? undefined : welcome.seqs![index];
}
