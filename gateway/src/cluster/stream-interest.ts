import type { Bus, BusSubscription } from '../bus/bus.ts';
import type { Connection } from '../hub/connection.ts';
import { streamsOfConnection } from '../push/streams.ts';

/** A change of this node's interest, for the cluster's directory of who holds what. */
export interface InterestChange {
  stream: string;
  held: boolean;
}

/**
 * The streams this node's connections hold, watched on the bus: a stream is watched while at
 * least one connection holds it, so the node hears exactly the pushes it can deliver.
 */
export interface StreamInterest {
  /** Counts the connection's streams; resolves once the bus routes all of them to this node. */
  hold(connection: Connection): Promise<void>;
  /** Uncounts them; a stream no connection holds any more is no longer watched. */
  release(connection: Connection): void;
  /** Whether this node watches `stream` now. */
  holds(stream: string): boolean;
  /** Every stream watched now. */
  streams(): IterableIterator<string>;
  /** Tells `listener` of every stream that starts or stops being watched. */
  onChange(listener: (change: InterestChange) => void): void;
  readonly size: number;
}

interface Watched {
  count: number;
  readonly watch: BusSubscription;
}

export function createStreamInterest(bus: Pick<Bus, 'watch'>): StreamInterest {
  const watched = new Map<string, Watched>();
  const listeners: Array<(change: InterestChange) => void> = [];
  const tell = (change: InterestChange) => {
    for (const listener of listeners) listener(change);
  };
  return {
    hold(connection) {
      const ready: Array<Promise<void>> = [];
      for (const stream of streamsOfConnection(connection.user, connection.tags)) {
        let entry = watched.get(stream);
        if (!entry) {
          watched.set(stream, (entry = { count: 0, watch: bus.watch(stream) }));
          tell({ stream, held: true });
        }
        entry.count += 1;
        ready.push(entry.watch.ready);
      }
      return Promise.all(ready).then(() => undefined);
    },
    release(connection) {
      for (const stream of streamsOfConnection(connection.user, connection.tags)) {
        const entry = watched.get(stream);
        if (!entry || --entry.count > 0) continue;
        watched.delete(stream);
        entry.watch();
        tell({ stream, held: false });
      }
    },
    holds: (stream) => watched.has(stream),
    streams: () => watched.keys(),
    onChange(listener) {
      listeners.push(listener);
    },
    get size() {
      return watched.size;
    },
  };
}
