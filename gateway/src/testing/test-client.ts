import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { PushFrame, ServerFrame, WelcomeFrame } from '../protocol.ts';
import { createFrameLog } from './frame-log.ts';

/** A real `ws` client that records every frame it receives, for tests. */
export interface TestClient {
  readonly ws: WebSocket;
  readonly welcome: WelcomeFrame;
  readonly frames: ServerFrame[];
  pushes(): PushFrame[];
  /** Resolves with the first recorded frame (past or future) that matches. */
  waitFor(match: (frame: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  waitForPushes(count: number, timeoutMs?: number): Promise<PushFrame[]>;
  send(frame: unknown): void;
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export interface Refusal {
  status: number;
  body: unknown;
}

export function openSocket(url: string, headers: Record<string, string> = {}, options: WebSocket.ClientOptions = {}) {
  return new WebSocket(url, { headers, ...options });
}

/** Connects and waits for the welcome frame. */
export async function connectClient(url: string, headers: Record<string, string> = {}, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
  const ws = openSocket(url, headers, options);
  const { frames, record, waitFor } = createFrameLog<ServerFrame>((received) => JSON.stringify(received).slice(0, 500));
  ws.on('message', (data) => record(JSON.parse(data.toString()) as ServerFrame));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
  });
  const welcome = (await waitFor((frame) => frame.type === 'welcome')) as WelcomeFrame;
  const pushes = () => frames.filter((frame): frame is PushFrame => frame.type === 'push');
  return {
    ws,
    welcome,
    frames,
    pushes,
    waitFor,
    async waitForPushes(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (pushes().length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} pushes, got ${pushes().length}`);
        await waitFor((frame) => frame.type === 'push' && pushes().length >= count, deadline - Date.now()).catch(() => undefined);
      }
      return pushes();
    },
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    closed,
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      // A client paused by its test never completes the handshake: cut it after a moment.
      const timer = setTimeout(() => ws.terminate(), 1000);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** Attempts a connection that is expected to be refused, returning the HTTP status and JSON body. */
export function expectRefusal(url: string, headers: Record<string, string> = {}): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    const ws = openSocket(url, headers);
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('connection was accepted'));
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) });
      });
    });
    ws.once('error', (error) => reject(error));
  });
}
