/**
 * The frames a test client received, in order, and a wait for the first that matches (past or
 * future): what both the `ws` test client and the raw frame-level client record.
 */
export interface FrameLog<T> {
  readonly frames: T[];
  record(frame: T): void;
  waitFor(match: (frame: T) => boolean, timeoutMs?: number): Promise<T>;
}

/** `describe` renders what arrived, for the time-out message. */
export function createFrameLog<T>(describe: (frames: readonly T[]) => string): FrameLog<T> {
  const frames: T[] = [];
  const waiters = new Set<() => void>();
  return {
    frames,
    record(frame) {
      frames.push(frame);
      for (const wake of waiters) wake();
    },
    waitFor: (match, timeoutMs = 5000) =>
      new Promise<T>((resolve, reject) => {
        const check = () => {
          const found = frames.find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for a frame; got ${describe(frames)}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      }),
  };
}
