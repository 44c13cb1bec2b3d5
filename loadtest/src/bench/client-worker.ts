/**
 * Client worker process: holds a share of the benchmark's WebSocket connections, raw TCP frame
 * counters (wire/raw-ws-client.ts), and stamps every push frame on arrival. Forked by the client
 * pool; talks to it only through the IPC messages in `pool-messages.ts`. Which server it talks to
 * is the protocol module's business (protocols/); this file only counts.
 *
 * Per-frame work is kept to a buffer scan and a few counter updates because the clients share the
 * machine's cores with the server under test: a full JSON.parse per frame would mostly measure the
 * clients.
 */
import { SignJWT } from 'jose';
import { epochMs } from '../clock.ts';
import { readSentAt, readSeq } from './frame-scan.ts';
import type { ConnectCommand, ConnectionHealth, ExpectCommand, PoolCommand, SeqTally, WorkerReply } from './pool-messages.ts';
import { clientProtocolFor, type ClientProtocol } from './protocols/client-protocol.ts';
import { openRawWebSocket, type RawWebSocket } from './wire/raw-ws-client.ts';

/** Latency samples kept at most between two collections; the publisher's count is far below. */
const MAX_LATENCY_SAMPLES = 1_000_000;

const sockets: RawWebSocket[] = [];
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
let latencyMode = false;
let latencySamples: number[] = [];
let latencySeqs: number[] = [];

const reply = (message: WorkerReply): void => {
  process.send?.(message);
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

const onLatencyFrame = (frame: Buffer, seq: number, now: number): void => {
  const sentAt = readSentAt(frame);
  if (sentAt < 0 || latencySamples.length >= MAX_LATENCY_SAMPLES) {
    unrecognised += 1;
    return;
  }
  latencySamples.push(now - sentAt);
  latencySeqs.push(seq);
};

const onPushFrame = (slot: number, frame: Buffer): void => {
  const seq = readSeq(frame);
  if (seq < 0) {
    unrecognised += 1;
    return;
  }
  const now = epochMs();
  if (latencyMode) return onLatencyFrame(frame, seq, now);
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

interface ClientSpec {
  protocol: ClientProtocol;
  host: string;
  port: number;
  path: string;
  /** Index into this worker's counters. */
  slot: number;
  /** Only labels errors. */
  user: string;
  timeoutMs: number;
}

/** Dials one connection and resolves once the protocol says it is ready for pushes. */
const openClient = (spec: ClientSpec): Promise<RawWebSocket> =>
  new Promise((resolve, reject) => {
    let ready = false;
    const becomeReady = (): void => {
      ready = true;
      clearTimeout(timer);
      resolve(socket);
    };
    const socket = openRawWebSocket(
      { host: spec.host, port: spec.port, path: spec.path },
      {
        onOpen: () => {
          if (spec.protocol.readyOnUpgrade) becomeReady();
        },
        onMessage: (payload) => {
          const action = spec.protocol.classify(payload, ready);
          if (action.kind === 'push') onPushFrame(spec.slot, payload);
          else if (action.kind === 'reply') socket.sendText(action.text);
          else if (action.kind === 'ready' && !ready) becomeReady();
        },
        onClose: (reason) => {
          if (!ready) {
            clearTimeout(timer);
            reject(new Error(`connection ${spec.user}: ${reason} before it was ready`));
          } else if (!closing) {
            unexpectedCloses += 1;
          }
        },
      },
    );
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`connection ${spec.user}: not ready within ${spec.timeoutMs} ms`));
    }, spec.timeoutMs);
  });

const connectAll = async (command: ConnectCommand): Promise<void> => {
  const started = epochMs();
  const protocol = clientProtocolFor(command.protocol);
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
      const index = command.firstIndex + local;
      const user = `u${index}`;
      try {
        const token = protocol.needsToken ? await signToken(key, user) : '';
        const endpoint = command.endpoints[index % command.endpoints.length]!;
        const spec = { protocol, ...endpoint, path: protocol.path(user, token), slot: local, user, timeoutMs: command.timeoutMs };
        sockets[local] = await openClient(spec);
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
    open: sockets.filter((s) => s.open).length,
    minPushes: pushCounts.length > 0 ? minPushes : 0,
    maxPushes,
    outOfOrder,
    unexpectedCloses,
    unrecognised,
  };
};

const collectLatency = (): void => {
  const samplesMs = latencySamples;
  const seqs = latencySeqs;
  latencySamples = [];
  latencySeqs = [];
  reply({ type: 'latency', samplesMs, seqs });
};

const closeAll = (): void => {
  closing = true;
  // No close handshake: teardown time is not being measured.
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
    case 'latency-mode':
      latencyMode = message.on;
      reply({ type: 'latency-mode', on: latencyMode });
      break;
    case 'latency-collect':
      collectLatency();
      break;
    case 'close':
      closeAll();
      break;
  }
});

// The orchestrator owns this process; if it goes away, so do we.
process.on('disconnect', () => process.exit(0));
