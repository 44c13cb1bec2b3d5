import type { Bus } from '../bus/bus.ts';
import type { Connection } from '../hub/connection.ts';

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
  /**
   * Counts `streams` for the connection (its user's, its tags', `all`); resolves once the bus
   * routes all of them to this node and the listeners told of a new one are done with it (the
   * peers know: interest-directory.ts).
   */
  hold(connection: Connection, streams: readonly string[]): Promise<void>;
  /**
   * The connection's streams changed (its tags did): counts `added` like `hold`, and resolves when
   * they are routed here; uncounts `removed` like `release`.
   */
  change(connection: Connection, added: readonly string[], removed: readonly string[]): Promise<void>;
  /** Uncounts every stream the connection holds; a stream no connection holds any more is no longer watched. */
  release(connection: Connection): void;
  /** Whether this node watches `stream` now. */
  holds(stream: string): boolean;
  /** Every stream the bus routes to this node now (its watch is ready). */
  streams(): IterableIterator<string>;
  /**
   * Tells `listener` of every stream the bus starts routing to this node (once its watch is
   * ready: a peer told earlier would wait for a receipt that cannot come) and stops routing.
   */
  onChange(listener: (change: InterestChange) => void): void;
  readonly size: number;
}

interface Watched {
  count: number;
  /** The watch is ready and the change was told. */
  routed: boolean;
  /** Resolves once the watch is ready and the listeners are done with the new stream (then a shared settled promise). */
  ready: Promise<void>;
}

const SETTLED = Promise.resolve();

export function createStreamInterest(bus: Pick<Bus, 'watch' | 'unwatch'>): StreamInterest {
  const watched = new Map<string, Watched>();
  /** What each open connection holds, so its release uncounts exactly what it counted. */
  const heldBy = new WeakMap<Connection, Set<string>>();
  const listeners: Array<(change: InterestChange) => Promise<void> | void> = [];
  const tell = (change: InterestChange): Promise<unknown> => Promise.all(listeners.map((listener) => listener(change)));
  const count = (stream: string): Promise<void> => {
    let entry = watched.get(stream);
    if (!entry) {
      const created: Watched = {
        count: 0,
        routed: false,
        ready: bus.watch(stream).then(async () => {
          if (watched.get(stream) !== created) return;
          created.routed = true;
          await tell({ stream, held: true });
          // The chain is not kept for the stream's whole life: later holds need only know it is done.
          created.ready = SETTLED;
        }),
      };
      watched.set(stream, (entry = created));
    }
    entry.count += 1;
    return entry.ready;
  };
  const uncount = (stream: string) => {
    const entry = watched.get(stream);
    if (!entry || --entry.count > 0) return;
    watched.delete(stream);
    bus.unwatch(stream);
    if (entry.routed) void tell({ stream, held: false });
  };
  const add = (connection: Connection, streams: readonly string[]): Promise<void> => {
    let held = heldBy.get(connection);
    if (!held) heldBy.set(connection, (held = new Set()));
    const ready: Array<Promise<void>> = [];
    for (const stream of streams) {
      if (held.has(stream)) continue;
      held.add(stream);
      ready.push(count(stream));
    }
    return Promise.all(ready).then(() => undefined);
  };
  return {
    hold: add,
    change(connection, added, removed) {
      const held = heldBy.get(connection);
      // A connection released (closed) in the meantime holds nothing to change.
      if (!held) return SETTLED;
      for (const stream of removed) if (held.delete(stream)) uncount(stream);
      return add(connection, added);
    },
    release(connection) {
      const held = heldBy.get(connection);
      if (!held) return;
      heldBy.delete(connection);
      for (const stream of held) uncount(stream);
    },
    holds: (stream) => watched.has(stream),
    *streams() {
      for (const [stream, entry] of watched) if (entry.routed) yield stream;
    },
    onChange(listener) {
      listeners.push(listener);
    },
    get size() {
      return watched.size;
    },
  };
}
