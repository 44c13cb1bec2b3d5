/** A listener of one event type. */
export type Listener<T> = (event: T) => void;

/**
 * A small typed event emitter: the SDK runs in browsers, so it cannot use Node's EventEmitter.
 * `Events` maps each event name to the payload its listeners receive.
 */
export interface Emitter<Events> {
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void;
  off<K extends keyof Events>(type: K, listener: Listener<Events[K]>): void;
  /** Calls every listener of `type`, in the order they were added. */
  emit<K extends keyof Events>(type: K, event: Events[K]): void;
  listenerCount(type: keyof Events): number;
}

/**
 * `onListenerError` receives what a listener threw: one failing listener must not keep the others
 * from running, nor break the code that emitted (a socket's message handler, say).
 */
export function createEmitter<Events>(onListenerError: (error: unknown, type: keyof Events) => void): Emitter<Events> {
  const listeners = new Map<keyof Events, Array<Listener<never>>>();
  const listOf = <K extends keyof Events>(type: K) => (listeners.get(type) ?? []) as Array<Listener<Events[K]>>;
  const off = <K extends keyof Events>(type: K, listener: Listener<Events[K]>) => {
    const remaining = listOf(type).filter((candidate) => candidate !== listener);
    if (remaining.length === 0) listeners.delete(type);
    else listeners.set(type, remaining as Array<Listener<never>>);
  };
  return {
    on(type, listener) {
      listeners.set(type, [...listOf(type), listener] as Array<Listener<never>>);
      return () => off(type, listener);
    },
    off,
    emit(type, event) {
      // The list is replaced, never changed in place, so a listener removed while this runs is still
      // called this once and one added is first called on the next emit.
      for (const listener of listOf(type)) {
        try {
          listener(event);
        } catch (error) {
          onListenerError(error, type);
        }
      }
    },
    listenerCount: (type) => listOf(type).length,
  };
}
