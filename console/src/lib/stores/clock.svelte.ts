export interface Clock {
  /** Epoch ms, refreshed every tick while started. */
  readonly now: number;
  start(): void;
  stop(): void;
}

/**
 * A ticking `now` for what changes with time alone: the badge's "retrying in 3s" countdown and
 * the staleness of the last snapshot. Default tick 500 ms.
 */
export function createClock(intervalMs = 500, read: () => number = Date.now): Clock {
  let now = $state(read());
  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    get now() {
      return now;
    },
    start() {
      if (timer !== undefined) return;
      now = read();
      timer = setInterval(() => (now = read()), intervalMs);
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
