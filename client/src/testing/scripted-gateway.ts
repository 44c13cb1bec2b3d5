import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { ClientFrame, ServerFrame } from '@wsgw/gateway/protocol';

/** One connection to the scripted gateway: what the client asked for and sent, and a way to answer. */
export interface ScriptedConnection {
  /** The request's path and query. */
  readonly url: URL;
  readonly frames: ClientFrame[];
  waitForFrames(count: number, timeoutMs?: number): Promise<ClientFrame[]>;
  send(...frames: ServerFrame[]): void;
  /** Cuts the socket without a close frame (the client sees 1006). */
  terminate(): void;
}

export interface ScriptedGateway {
  readonly wsUrl: string;
  /** The next connection not yet taken, past or future. */
  nextConnection(timeoutMs?: number): Promise<ScriptedConnection>;
  close(): Promise<void>;
}

/**
 * A WebSocket server on port 0 that sends exactly the frames a test scripts. The real gateway is
 * the peer of every other client test; this one exists for orders the real one cannot be made to
 * produce on cue, such as pushes accepted on two nodes arriving out of position order.
 */
export async function startScriptedGateway(): Promise<ScriptedGateway> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const waiting: Array<(connection: ScriptedConnection) => void> = [];
  const ready: ScriptedConnection[] = [];
  server.on('connection', (ws: WebSocket, request) => {
    const connection = scriptedConnection(ws, new URL(request.url ?? '/', 'ws://scripted.invalid'));
    const taker = waiting.shift();
    if (taker) taker(connection);
    else ready.push(connection);
  });
  return {
    wsUrl: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
    nextConnection: (timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const queued = ready.shift();
        if (queued) return resolve(queued);
        const timer = setTimeout(() => reject(new Error('timed out waiting for a connection')), timeoutMs);
        waiting.push((connection) => {
          clearTimeout(timer);
          resolve(connection);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        for (const ws of server.clients) ws.terminate();
        server.close(() => resolve());
      }),
  };
}

function scriptedConnection(ws: WebSocket, url: URL): ScriptedConnection {
  const frames: ClientFrame[] = [];
  const wakes = new Set<() => void>();
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as ClientFrame);
    for (const wake of [...wakes]) wake();
  });
  return {
    url,
    frames,
    waitForFrames: (count, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const wake = () => {
          if (frames.length < count) return;
          wakes.delete(wake);
          clearTimeout(timer);
          resolve(frames.slice(0, count));
        };
        const timer = setTimeout(() => {
          wakes.delete(wake);
          reject(new Error(`timed out waiting for ${count} frames; got ${JSON.stringify(frames)}`));
        }, timeoutMs);
        wakes.add(wake);
        wake();
      }),
    send: (...out) => {
      for (const frame of out) ws.send(JSON.stringify(frame));
    },
    terminate: () => ws.terminate(),
  };
}
