import { randomUUID } from 'node:crypto';
import type { Bus, SignalBodyParser } from '../bus/bus.ts';
import { isBoundedString, isRecord } from '../validation.ts';
import type { StreamInterest } from './stream-interest.ts';

/** Which peers hold a push's streams, as far as this node knows. */
export interface Holders {
  /** Live peers that hold one of the streams: each hears the push and answers for it. */
  peers: string[];
  /** False while some live peer's interest is not known in full (it just started, or a change was lost). */
  certain: boolean;
}

/**
 * The cluster's interest, replicated on every node: which streams each peer watches. A push
 * reaches only the nodes watching its streams, so this is who the accepting node waits for
 * (receipts), and who a user lookup asks.
 */
export interface InterestDirectory {
  /** Among `peers`, those holding one of `streams`. */
  holders(streams: readonly string[], peers: readonly string[]): Holders;
  stop(): void;
}

export interface InterestDirectoryOptions {
  nodeId: string;
  bus: Bus;
  interest: StreamInterest;
  /** The live peers: those whose acknowledgement a new stream waits for. */
  peers(): string[];
}

/** This node's changes go out together, this often (ms): a connection burst is one signal, not thousands. */
const FLUSH_MS = 10;
/**
 * The longest a new stream waits for the peers to acknowledge it (ms): until they have, a push
 * accepted on one of them would not count this node's connections. A peer that does not answer
 * (it is going away) does not hold the connection up beyond this.
 */
const ACK_WAIT_MS = 1000;
/** A full list goes out this often (ms), so a replica that missed a change is repaired. */
const SNAPSHOT_MS = 10_000;
/** Streams per signal: snapshots of a node with many users go in parts. */
const PART_SIZE = 2000;
/** Streams kept per peer at most: a forged flood must not grow a replica without bound. */
const MAX_PEER_STREAMS = 1_000_000;
const MAX_STREAM_NAME = 258;
/** A node missing some peer's list asks again at most this often (ms). */
const HELLO_RETRY_MS = 1000;
const MAX_ID = 64;

type InterestSignal =
  | { kind: 'delta'; gen: string; seq: number; add: string[]; remove: string[] }
  | { kind: 'snapshot'; gen: string; seq: number; part: number; parts: number; streams: string[] }
  | { kind: 'hello' }
  | { kind: 'ack'; gen: string; seq: number };

const TOPIC = 'interest';

const streamList = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.length <= PART_SIZE && value.every((stream) => isBoundedString(stream, MAX_STREAM_NAME)) ? (value as string[]) : undefined;

const count = (value: unknown, min: number): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= min;

const parseInterest: SignalBodyParser<InterestSignal> = (body) => {
  const refused = { ok: false as const, error: 'an interest signal must be a delta, a snapshot part or a hello' };
  if (!isRecord(body)) return refused;
  if (body.kind === 'hello') return { ok: true, value: { kind: 'hello' } };
  if (!isBoundedString(body.gen, MAX_ID) || !count(body.seq, 0)) return refused;
  if (body.kind === 'ack') return { ok: true, value: { kind: 'ack', gen: body.gen, seq: body.seq } };
  if (body.kind === 'delta') {
    const add = streamList(body.add);
    const remove = streamList(body.remove);
    return add && remove ? { ok: true, value: { kind: 'delta', gen: body.gen, seq: body.seq, add, remove } } : refused;
  }
  const streams = streamList(body.streams);
  if (body.kind !== 'snapshot' || !streams || !count(body.parts, 1) || !count(body.part, 0) || body.part >= body.parts || body.parts > MAX_PEER_STREAMS / PART_SIZE) return refused;
  return { ok: true, value: { kind: 'snapshot', gen: body.gen, seq: body.seq, part: body.part, parts: body.parts, streams } };
};

/** What this node knows of one peer's interest. */
interface Replica {
  gen: string;
  /** The last change applied; the next delta must be `seq + 1`. */
  seq: number;
  streams: Set<string>;
  /** False until a whole snapshot arrived, and after a change was missed. */
  complete: boolean;
  /** When this node last heard from it (epoch ms). */
  heardAt: number;
  /** Parts of the snapshot being received. */
  assembling?: { gen: string; seq: number; parts: Array<string[] | undefined>; received: number };
}

/**
 * Each node tells the others what it starts and stops watching (deltas, numbered), a full list
 * every `SNAPSHOT_MS` and to a node that says hello, so a replica that missed something knows
 * it and is repaired within one snapshot. Until a peer's list is known in full, answers that
 * depend on it say they are not certain.
 */
export function createInterestDirectory(options: InterestDirectoryOptions): InterestDirectory {
  const { nodeId, bus, interest } = options;
  const gen = randomUUID();
  let seq = 0;
  const replicas = new Map<string, Replica>();
  let added = new Set<string>();
  let removed = new Set<string>();
  let flushTimer: NodeJS.Timeout | undefined;
  /** Changes told but not yet acknowledged by every peer: by the seq of the delta that carries them. */
  const unacked = new Map<number, { waiting: Set<string>; done(): void }>();
  /** The pending changes' promise, settled by the acks of the delta that will carry them. */
  let nextFlush: { promise: Promise<void>; resolve(): void } | undefined;

  const send = (body: InterestSignal, to?: string) => bus.signal({ origin: nodeId, topic: TOPIC, body }, to).catch(() => undefined);

  const flush = () => {
    flushTimer = undefined;
    const add = [...added];
    const remove = [...removed];
    added = new Set();
    removed = new Set();
    for (let i = 0; i < Math.max(add.length, remove.length); i += PART_SIZE) {
      seq += 1;
      void send({ kind: 'delta', gen, seq, add: add.slice(i, i + PART_SIZE), remove: remove.slice(i, i + PART_SIZE) });
    }
    const flushed = nextFlush;
    nextFlush = undefined;
    if (!flushed) return;
    // Nothing went out (a stream dropped and taken again cancelled out): the peers know it already.
    if (add.length === 0 && remove.length === 0) flushed.resolve();
    else awaitAcks(seq, flushed.resolve);
  };

  /** Calls `done` once every live peer acknowledged the deltas up to `upTo`, or after `ACK_WAIT_MS`. */
  const awaitAcks = (upTo: number, done: () => void) => {
    const waiting = new Set(options.peers());
    if (waiting.size === 0) return done();
    const timer = setTimeout(finish, ACK_WAIT_MS);
    timer.unref();
    function finish() {
      clearTimeout(timer);
      unacked.delete(upTo);
      done();
    }
    unacked.set(upTo, { waiting, done: finish });
  };

  const acknowledged = (peer: string, upTo: number) => {
    for (const [at, entry] of unacked) {
      if (at > upTo) continue;
      entry.waiting.delete(peer);
      if (entry.waiting.size === 0) entry.done();
    }
  };

  const snapshot = (to?: string) => {
    if (flushTimer) {
      clearTimeout(flushTimer);
      flush();
    }
    const streams = [...interest.streams()];
    const parts = Math.max(1, Math.ceil(streams.length / PART_SIZE));
    for (let part = 0; part < parts; part += 1) {
      void send({ kind: 'snapshot', gen, seq, part, parts, streams: streams.slice(part * PART_SIZE, (part + 1) * PART_SIZE) }, to);
    }
  };

  interest.onChange(({ stream, held }) => {
    // A stream dropped and taken again within one flush cancels out.
    if (held) removed.delete(stream) || added.add(stream);
    else added.delete(stream) || removed.add(stream);
    flushTimer ??= setTimeout(flush, FLUSH_MS).unref();
    // Alone, there is nobody to wait for: a lone node's welcomes do not wait for a flush.
    if (!held || options.peers().length === 0) return;
    if (!nextFlush) {
      let resolve!: () => void;
      const promise = new Promise<void>((settle) => (resolve = settle));
      nextFlush = { promise, resolve };
    }
    return nextFlush.promise;
  });

  const applyDelta = (origin: string, delta: Extract<InterestSignal, { kind: 'delta' }>) => {
    const replica = replicas.get(origin);
    if (!replica || replica.gen !== delta.gen || delta.seq !== replica.seq + 1) {
      // A restart or a lost change: unknown until the next snapshot.
      if (replica) replica.complete = false;
      else replicas.set(origin, { gen: delta.gen, seq: delta.seq, streams: new Set(), complete: false, heardAt: Date.now() });
      return;
    }
    replica.seq = delta.seq;
    for (const stream of delta.remove) replica.streams.delete(stream);
    for (const stream of delta.add) if (replica.streams.size < MAX_PEER_STREAMS) replica.streams.add(stream);
  };

  const applySnapshot = (origin: string, part: Extract<InterestSignal, { kind: 'snapshot' }>) => {
    let replica = replicas.get(origin);
    if (!replica) replicas.set(origin, (replica = { gen: part.gen, seq: part.seq, streams: new Set(), complete: false, heardAt: Date.now() }));
    let assembling = replica.assembling;
    if (!assembling || assembling.gen !== part.gen || assembling.seq !== part.seq || assembling.parts.length !== part.parts) {
      assembling = replica.assembling = { gen: part.gen, seq: part.seq, parts: new Array(part.parts).fill(undefined), received: 0 };
    }
    if (assembling.parts[part.part]) return;
    assembling.parts[part.part] = part.streams;
    assembling.received += 1;
    if (assembling.received < part.parts) return;
    replica.assembling = undefined;
    // Deltas after the snapshot's position may have arrived first: a snapshot older than what
    // was applied since is only taken when the replica is not trusted anyway.
    if (replica.complete && replica.gen === part.gen && replica.seq > part.seq) return;
    replica.gen = part.gen;
    replica.seq = part.seq;
    replica.streams = new Set(assembling.parts.flat() as string[]);
    replica.complete = true;
  };

  const unsubscribe = bus.onSignal<InterestSignal>({
    topic: TOPIC,
    parse: parseInterest,
    handle(origin, body) {
      if (origin === nodeId) return;
      if (body.kind === 'hello') return snapshot(origin);
      if (body.kind === 'ack') return void (body.gen === gen && acknowledged(origin, body.seq));
      const replica = replicas.get(origin);
      if (replica) replica.heardAt = Date.now();
      if (body.kind === 'delta') {
        applyDelta(origin, body);
        void send({ kind: 'ack', gen: body.gen, seq: body.seq }, origin);
      } else applySnapshot(origin, body);
    },
  });

  const timer = setInterval(() => {
    snapshot();
    // A live node sends a snapshot every interval: one not heard for three has left.
    const cutoff = Date.now() - 3 * SNAPSHOT_MS;
    for (const [node, replica] of replicas) if (replica.heardAt < cutoff) replicas.delete(node);
  }, SNAPSHOT_MS).unref();
  // Asked at start, and again while some peer's list is not known (the first hello may have gone
  // out before the bus connected): each peer answers with a snapshot to this node alone.
  let helloAt = Date.now();
  void send({ kind: 'hello' });
  const helloAgain = () => {
    if (Date.now() - helloAt < HELLO_RETRY_MS) return;
    helloAt = Date.now();
    void send({ kind: 'hello' });
  };

  return {
    holders(streams, peers) {
      const holding: string[] = [];
      let certain = true;
      for (const peer of peers) {
        const replica = replicas.get(peer);
        if (!replica?.complete) certain = false;
        if (replica && streams.some((stream) => replica.streams.has(stream))) holding.push(peer);
      }
      if (!certain) helloAgain();
      return { peers: holding, certain };
    },
    stop() {
      clearInterval(timer);
      if (flushTimer) clearTimeout(flushTimer);
      for (const entry of unacked.values()) entry.done();
      nextFlush?.resolve();
      unsubscribe();
    },
  };
}
