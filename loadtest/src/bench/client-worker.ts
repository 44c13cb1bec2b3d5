/**
 * Client worker process: holds a share of the benchmark's WebSocket
 * connections and stamps every push frame on arrival. Forked by the client
 * pool; talks to it only through the IPC messages in `pool-messages.ts`.
 *
 * Per-frame work is kept to a buffer scan and a few counter updates because
 * the clients share the machine's cores with the server under test: a full
 * JSON.parse per frame would mostly measure the clients.
 */
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { epochMs } from '../clock.ts';
import type {
  ConnectCommand,
  ConnectionHealth,
  ExpectCommand,
  PoolCommand,
  SeqTally,
  WorkerReply,
} from './pool-messages.ts';

const SEQ_KEY = '"seq":';
const WELCOME_MARK = '"welcome"';
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

const sockets: WebSocket[] = [];
const tallies = new Map<number, SeqTally>();
let pushCounts = new Uint32Array(0);
let lastSeqs = new Float64Array(0);
let outOfOrder = 0;
let unexpectedCloses = 0;
let unrecognised = 0;
let closing = false;
/** Connections this worker holds once connected; a sequence is complete at this count. */
let expectedPerSeq = 0;
let pending: ExpectCommand | undefined;
let pendingRemaining = 0;

const reply = (message: WorkerReply): void => {
  process.send?.(message);
};

/** Reads the integer after `"seq":`, or -1 when the frame carries none. */
const readSeq = (frame: Buffer): number => {
  const at = frame.indexOf(SEQ_KEY);
  if (at < 0) return -1;
  let value = 0;
  let digits = 0;
  for (let i = at + SEQ_KEY.length; i < frame.length; i += 1) {
    const byte = frame[i] ?? 0;
    if (byte < DIGIT_0 || byte > DIGIT_9) break;
    value = value * 10 + (byte - DIGIT_0);
    digits += 1;
  }
  return digits > 0 ? value : -1;
};

const tallyRange = (fromSeq: number, toSeq: number): SeqTally[] => {
  const out: SeqTally[] = [];
  for (let seq = fromSeq; seq < toSeq; seq += 1) {
    out.push(tallies.get(seq) ?? { seq, count: 0, firstMs: Number.NaN, lastMs: Number.NaN });
  }
  return out;
};

const finishExpect = (): void => {
  if (!pending) return;
  const { fromSeq, toSeq } = pending;
  pending = undefined;
  const done = tallyRange(fromSeq, toSeq);
  for (let seq = fromSeq; seq < toSeq; seq += 1) tallies.delete(seq);
  reply({ type: 'delivered', tallies: done });
};

const onPushFrame = (slot: number, frame: Buffer): void => {
  const seq = readSeq(frame);
  if (seq < 0) {
    unrecognised += 1;
    return;
  }
  const now = epochMs();
  pushCounts[slot] = (pushCounts[slot] ?? 0) + 1;
  if (seq <= (lastSeqs[slot] ?? -1)) outOfOrder += 1;
  lastSeqs[slot] = seq;

  let tally = tallies.get(seq);
  if (!tally) {
    tally = { seq, count: 0, firstMs: now, lastMs: now };
    tallies.set(seq, tally);
  }
  tally.count += 1;
  tally.lastMs = now;
  if (tally.count === expectedPerSeq && pending && seq >= pending.fromSeq && seq < pending.toSeq) {
    pendingRemaining -= 1;
    if (pendingRemaining === 0) finishExpect();
  }
};

const signToken = (key: Uint8Array, user: string): Promise<string> =>
  new SignJWT({ tags: ['bench'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setExpirationTime('1h')
    .sign(key);

/**
 * Dials one connection and resolves once the server's welcome frame arrives.
 * `slot` indexes this worker's counters; `user` only labels errors.
 */
const openClient = (url: string, token: string, slot: number, user: string, timeoutMs: number): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    let welcomed = false;
    const socket = new WebSocket(`${url}?token=${encodeURIComponent(token)}`, {
      perMessageDeflate: false,
      // Loopback frames from a known server; validation would only add client CPU.
      skipUTF8Validation: true,
      handshakeTimeout: timeoutMs,
    });
    const fail = (reason: string): void => {
      clearTimeout(timer);
      if (!welcomed) reject(new Error(`connection ${user}: ${reason}`));
    };
    const timer = setTimeout(() => {
      fail(`no welcome frame within ${timeoutMs} ms`);
      socket.terminate();
    }, timeoutMs);

    socket.on('unexpected-response', (request, response) => {
      fail(`handshake answered with HTTP ${response.statusCode ?? '?'}`);
      request.destroy();
    });
    socket.on('error', (error) => fail(error.message));
    socket.on('close', (code) => {
      if (!welcomed) fail(`closed before welcome (code ${code})`);
      else if (!closing) unexpectedCloses += 1;
    });
    socket.on('message', (data) => {
      // binaryType is the default 'nodebuffer', so every message is one Buffer.
      const frame = data as Buffer;
      if (welcomed) {
        onPushFrame(slot, frame);
        return;
      }
      if (frame.indexOf(WELCOME_MARK) < 0) return;
      welcomed = true;
      clearTimeout(timer);
      resolve(socket);
    });
  });

const connectAll = async (command: ConnectCommand): Promise<void> => {
  const started = epochMs();
  const key = new TextEncoder().encode(command.jwtSecret);
  expectedPerSeq = command.count;
  pushCounts = new Uint32Array(command.count);
  lastSeqs = new Float64Array(command.count).fill(-1);
  let next = 0;
  let firstError: Error | undefined;
  let failures = 0;

  const lane = async (): Promise<void> => {
    while (next < command.count && !firstError) {
      const local = next;
      next += 1;
      const user = `u${command.firstIndex + local}`;
      try {
        const token = await signToken(key, user);
        const url = command.urls[(command.firstIndex + local) % command.urls.length]!;
        sockets[local] = await openClient(url, token, local, user, command.timeoutMs);
      } catch (error) {
        failures += 1;
        firstError ??= error instanceof Error ? error : new Error(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(command.concurrency, command.count) }, lane));

  if (firstError) {
    const opened = sockets.filter(Boolean).length;
    reply({
      type: 'failed',
      message: `${failures} connection(s) failed after ${opened}/${command.count} opened; first: ${firstError.message}`,
    });
    return;
  }
  reply({ type: 'connected', count: sockets.length, elapsedMs: epochMs() - started });
};

const startExpect = (command: ExpectCommand): void => {
  pending = command;
  pendingRemaining = 0;
  for (let seq = command.fromSeq; seq < command.toSeq; seq += 1) {
    if ((tallies.get(seq)?.count ?? 0) < expectedPerSeq) pendingRemaining += 1;
  }
  if (pendingRemaining === 0) finishExpect();
};

const health = (): ConnectionHealth => {
  let minPushes = Number.POSITIVE_INFINITY;
  let maxPushes = 0;
  for (const count of pushCounts) {
    minPushes = Math.min(minPushes, count);
    maxPushes = Math.max(maxPushes, count);
  }
  return {
    open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
    minPushes: pushCounts.length > 0 ? minPushes : 0,
    maxPushes,
    outOfOrder,
    unexpectedCloses,
    unrecognised,
  };
};

const closeAll = (): void => {
  closing = true;
  // terminate() skips the close handshake: teardown time is not being measured.
  for (const socket of sockets) socket.terminate();
  process.send?.({ type: 'closed' } satisfies WorkerReply, undefined, undefined, () => process.exit(0));
};

process.on('message', (message: PoolCommand) => {
  switch (message.type) {
    case 'connect':
      void connectAll(message);
      break;
    case 'expect':
      startExpect(message);
      break;
    case 'snapshot':
      reply({ type: 'snapshot', tallies: tallyRange(message.fromSeq, message.toSeq) });
      break;
    case 'verify':
      reply({ type: 'verified', ...health() });
      break;
    case 'close':
      closeAll();
      break;
  }
});

// The orchestrator owns this process; if it goes away, so do we.
process.on('disconnect', () => process.exit(0));
