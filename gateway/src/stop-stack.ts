/** Stops one part: done when it returns, or once the promise it returns has settled. */
export type Stop = () => void | Promise<void>;

/** The stops of the parts of a node, unwound newest first. */
export interface StopStack {
  /** Adds the stop of the part just built; it runs before the stops of every part built earlier. */
  push(stop: Stop): void;
  /** Runs the stops, newest first, each once the previous one is done. Runs once, however often called. */
  unwind(): Promise<void>;
}

/**
 * A part is stopped before anything it was built on, the way it was built in reverse. A stop that
 * returns no promise is followed at once, in the same turn: the first steps of a shutdown (refuse
 * new work, stop the timers and subscriptions) happen together, with nothing in between.
 */
export function createStopStack(): StopStack {
  const stops: Stop[] = [];
  let unwinding: Promise<void> | undefined;

  const run = async () => {
    for (const stop of stops.reverse()) {
      const done = stop();
      if (done) await done;
    }
  };

  return {
    push: (stop) => void stops.push(stop),
    unwind: () => (unwinding ??= run()),
  };
}
