import { randomBytes } from 'node:crypto';
import { JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { StreamPosition } from '../protocol.ts';
import { MAX_EPOCH_LENGTH } from '../protocol.ts';
import { BusUnavailableError } from './bus.ts';
import type { NatsHistoryLayout } from './nats-history-layout.ts';
import { isRecord } from '../validation.ts';

/** The JetStream handles of the live connection; throws `BusUnavailableError` when there is none. */
export type JetStreamAccess = () => { js: JetStreamClient; jsm: JetStreamManager };

/** A wsgw stream's counter as read: no epoch when it has none yet (or it was unusable); `at` is its message's JetStream sequence, 0 for none. */
interface Counter {
  epoch: string | undefined;
  seq: number;
  at: number;
}

export interface StreamCounters {
  /** Where `stream` stands. One nothing was appended to is given its epoch now (at 0), so that it keeps it. */
  current(stream: string): Promise<StreamPosition>;
  /**
   * The next position of `stream`, reserved for one push. Reservations for one stream made while
   * one is in flight go together in the next, in the order they were asked for.
   */
  reserve(stream: string): Promise<StreamPosition>;
}

/** Tries of one reservation against other nodes' before it gives up (`BusUnavailableError`). */
const MAX_ATTEMPTS = 12;
/** Counters this node remembers, so that an uncontended append costs one write: the least recently used go. */
const MAX_CACHED = 10_000;
/** JetStream's code for an expected last subject sequence that is not the subject's. */
const WRONG_LAST_SEQUENCE = 10071;

const newEpoch = () => randomBytes(12).toString('base64url');
const isConflict = (error: unknown) => error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE;
/** A short, growing, jittered pause between tries, so that contending nodes fall out of step. */
const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * Math.min(2 ** attempt, 32)).unref());

/**
 * Positions that are contiguous per wsgw stream across the cluster. Each stream's position is one
 * message on its counter subject (`{"epoch","seq"}`), moved on only by a write that expects the
 * subject's last JetStream sequence to be the one it read (compare-and-set): of two nodes that
 * read the same counter, one wins, the other reads again and tries again. A counter starts with a
 * random epoch, so one that was lost (its stream deleted, the server's data gone, forgotten past
 * `MAX_COUNTED_STREAMS`) starts again under a new one.
 */
export function createStreamCounters(access: JetStreamAccess, layout: NatsHistoryLayout, onInvalid: (reason: string) => void): StreamCounters {
  const cache = new Map<string, Counter>();
  /** Streams with a reservation in flight, and the claims waiting for the next one. */
  const waiting = new Map<string, { resolve(position: StreamPosition): void; reject(error: unknown): void }[]>();

  const remember = (stream: string, counter: Counter) => {
    cache.delete(stream);
    cache.set(stream, counter);
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  };

  const read = async (stream: string): Promise<Counter> => {
    const message = await access().jsm.direct.getMessage(layout.counters, { last_by_subj: layout.counterSubject(stream) });
    if (!message) return { epoch: undefined, seq: 0, at: 0 };
    const counter = parseCounter(message.string());
    if (counter) return { ...counter, at: message.seq };
    // Not written by a node: the stream starts again under a new epoch, which no client holds.
    onInvalid('unusable stream position');
    return { epoch: undefined, seq: 0, at: message.seq };
  };

  /** Moves the counter on by `count`, and returns the first position taken. */
  const advance = async (stream: string, count: number): Promise<StreamPosition> => {
    let counter = cache.get(stream) ?? (await read(stream));
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      if (counter.epoch !== undefined && count === 0) return { epoch: counter.epoch, seq: counter.seq };
      const epoch = counter.epoch ?? newEpoch();
      const seq = counter.seq + count;
      try {
        const ack = await access().js.publish(layout.counterSubject(stream), JSON.stringify({ epoch, seq }), { expect: { lastSubjectSequence: counter.at } });
        remember(stream, { epoch, seq, at: ack.seq });
        return { epoch, seq: counter.seq + Math.min(count, 1) };
      } catch (error) {
        if (!isConflict(error)) throw error;
        cache.delete(stream);
        await pause(attempt);
        counter = await read(stream);
      }
    }
    throw new BusUnavailableError(`the position of a stream stayed contended after ${MAX_ATTEMPTS} tries`);
  };

  const run = async (stream: string, claims: NonNullable<ReturnType<typeof waiting.get>>) => {
    while (claims.length > 0) {
      try {
        const first = await advance(stream, claims.length);
        claims.forEach((claim, index) => claim.resolve({ epoch: first.epoch, seq: first.seq + index }));
      } catch (error) {
        for (const claim of claims) claim.reject(error);
      }
      claims = waiting.get(stream)!.splice(0);
    }
    waiting.delete(stream);
  };

  return {
    // Read afresh: another node may have appended since this one last did.
    current: async (stream) => {
      const counter = await read(stream);
      remember(stream, counter);
      if (counter.epoch !== undefined) return { epoch: counter.epoch, seq: counter.seq };
      return advance(stream, 0);
    },
    reserve: (stream) =>
      new Promise((resolve, reject) => {
        const queue = waiting.get(stream);
        if (queue) return void queue.push({ resolve, reject });
        waiting.set(stream, []);
        void run(stream, [{ resolve, reject }]);
      }),
  };
}

/** A counter's body, or undefined when it is not one a node wrote. */
function parseCounter(text: string): { epoch: string; seq: number } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || typeof value.epoch !== 'string' || value.epoch === '' || value.epoch.length > MAX_EPOCH_LENGTH) return undefined;
  if (!Number.isSafeInteger(value.seq) || (value.seq as number) < 0) return undefined;
  return { epoch: value.epoch, seq: value.seq as number };
}
