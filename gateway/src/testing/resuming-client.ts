import WebSocket from 'ws';
import type { PushFrame, ResumedFrame, ServerFrame, StreamPosition, WelcomeFrame } from '../protocol.ts';

/**
 * A test client that follows the resume contract by the letter (PROTOCOL.md): per stream, the
 * position up to which it has seen every push; when its connection is cut it reconnects, to the
 * next of `urls`, with `?resume=1` and a `resume` of those positions. It records every push and
 * `resumed` frame of all its connections, so a test can check that nothing was lost or repeated.
 */
export interface ResumingClient {
  readonly user: string;
  /** Push frames received, on every connection, in order. */
  readonly pushes: PushFrame[];
  readonly resumes: ResumedFrame[];
  /** Connections opened so far. */
  readonly connections: number;
  /** The node of the connection open now. */
  readonly node: string | undefined;
  close(): void;
}

export interface ResumingClientOptions {
  user: string;
  token: string;
  /** The `/ws` URLs of the nodes: the first is connected to, each cut moves on to the next one. */
  urls: string[];
  /** How long it waits before reconnecting after a cut, ms (a real client backs off). */
  reconnectDelayMs?: number;
}

interface StreamSeen {
  epoch: string;
  /** Every push up to here was seen. */
  seq: number;
  /** Positions seen beyond `seq`, waiting for the ones before them. */
  ahead: Set<number>;
}

/** What a client has seen of its streams and pushes, across all its connections. */
function createSeenStreams() {
  const streams = new Map<string, StreamSeen>();
  const pushes: PushFrame[] = [];
  const resumes: ResumedFrame[] = [];
  let node: string | undefined;

  const see = (stream: string, seq: number) => {
    const seen = streams.get(stream);
    if (!seen || seq <= seen.seq) return;
    seen.ahead.add(seq);
    while (seen.ahead.delete(seen.seq + 1)) seen.seq += 1;
  };

  /** The first welcome sets where each stream starts; a later one only adds streams it did not know. */
  const adopt = (welcome: WelcomeFrame) => {
    for (const [stream, position] of Object.entries(welcome.streams ?? {})) {
      if (!streams.has(stream)) streams.set(stream, { epoch: position.epoch, seq: position.seq, ahead: new Set() });
    }
  };

  return {
    pushes,
    resumes,
    node: () => node,
    /** Where to resume from: per stream, the position up to which every push was seen. */
    positions(): Record<string, StreamPosition> {
      const positions: Record<string, StreamPosition> = {};
      for (const [stream, seen] of streams) positions[stream] = { epoch: seen.epoch, seq: seen.seq };
      return positions;
    },
    record(frame: ServerFrame) {
      if (frame.type === 'welcome') {
        node = frame.node;
        adopt(frame);
      } else if (frame.type === 'push') {
        pushes.push(frame);
        for (const [stream, seq] of Object.entries(frame.pos ?? {})) see(stream, seq);
      } else if (frame.type === 'tags') {
        // The tag API changed the connection's streams: resume the new ones from where they started.
        for (const [stream, position] of Object.entries(frame.streams ?? {})) {
          if (!streams.has(stream)) streams.set(stream, { epoch: position.epoch, seq: position.seq, ahead: new Set() });
        }
        for (const stream of frame.removed) streams.delete(stream);
      } else if (frame.type === 'resumed') {
        resumes.push(frame);
        // A stream it could not recover starts again where the replay left it.
        for (const [stream, recovery] of Object.entries(frame.streams)) {
          if (!recovery.recovered || !streams.has(stream)) streams.set(stream, { epoch: recovery.epoch, seq: recovery.seq, ahead: new Set() });
        }
      }
    },
  };
}

export async function connectResumingClient(options: ResumingClientOptions): Promise<ResumingClient> {
  const seen = createSeenStreams();
  let connections = 0;
  let closed = false;
  let ws: WebSocket | undefined;

  const open = (resume: boolean) =>
    new Promise<void>((resolve, reject) => {
      const url = options.urls[connections % options.urls.length]!;
      connections += 1;
      const socket = new WebSocket(`${url}?token=${encodeURIComponent(options.token)}${resume ? '&resume=1' : ''}`);
      ws = socket;
      const positions = seen.positions();
      socket.on('open', () => {
        if (resume) socket.send(JSON.stringify({ type: 'resume', streams: positions }));
      });
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as ServerFrame;
        seen.record(frame);
        if (frame.type === 'welcome') resolve();
      });
      socket.on('error', reject);
      socket.on('close', () => {
        if (closed || ws !== socket) return;
        // Cut (the node was killed): go on at the next node, resuming from what was seen.
        const reconnect = () => open(true).catch(() => setTimeout(reconnect, 100));
        setTimeout(reconnect, options.reconnectDelayMs ?? 0);
      });
    });

  await open(false);
  return {
    user: options.user,
    pushes: seen.pushes,
    resumes: seen.resumes,
    get connections() {
      return connections;
    },
    get node() {
      return seen.node();
    },
    close() {
      closed = true;
      ws?.terminate();
    },
  };
}
