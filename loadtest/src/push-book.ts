import type { PlannedPush } from './push-sender.ts';
import { userStream, type LoadPlan, type Stream } from './scenarios/load-plan.ts';

/**
 * The driver's side of the accounting: numbers every push in its stream, remembers which numbers
 * the gateway accepted, where each connection's account starts, and how many deliveries are owed
 * to the connections open right now (what the drain waits for).
 */
export interface PushBook {
  streamOf(index: number): Stream;
  /** Allocates the next sequence number of `stream`. */
  next(stream: Stream): PlannedPush;
  /** Records pushes the gateway accepted. */
  accepted(pushes: PlannedPush[]): void;
  connectionOpened(index: number): void;
  connectionLost(index: number): void;
  /** Accepted sequence numbers per stream, for the workers' settlement. */
  readonly expected: Record<string, number[]>;
  /** Per connection, the stream's last number when it was known to be open. */
  readonly floors: Record<number, number>;
  readonly owed: number;
}

export function createPushBook(plan: LoadPlan): PushBook {
  const expected: Record<string, number[]> = {};
  const floors: Record<number, number> = {};
  const nextSeq = new Map<string, number>();
  const openOnStream = new Map<string, number>();
  let owed = 0;
  const streamOf = (index: number) => plan.streamOf?.(index) ?? userStream(plan.userOf(index));
  const adjust = (index: number, by: number) => {
    const key = streamOf(index).key;
    openOnStream.set(key, (openOnStream.get(key) ?? 0) + by);
  };
  return {
    streamOf,
    next(stream) {
      const seq = (nextSeq.get(stream.key) ?? 0) + 1;
      nextSeq.set(stream.key, seq);
      return { stream: stream.key, seq, to: stream.to };
    },
    accepted(pushes) {
      for (const push of pushes) {
        (expected[push.stream] ??= []).push(push.seq);
        owed += openOnStream.get(push.stream) ?? 0;
      }
    },
    connectionOpened(index) {
      floors[index] = nextSeq.get(streamOf(index).key) ?? 0;
      adjust(index, 1);
    },
    connectionLost(index) {
      adjust(index, -1);
    },
    expected,
    floors,
    get owed() {
      return owed;
    },
  };
}
