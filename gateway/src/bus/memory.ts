import type { Bus, BusHandler, BusMessage } from './bus.ts';

/** The in-process medium several memory buses can share (several nodes in one process). */
export interface MemoryBroker {
  readonly handlers: Set<BusHandler>;
}

export function createMemoryBroker(): MemoryBroker {
  return { handlers: new Set() };
}

/**
 * The default bus: a single process needs no broker. Delivery is asynchronous (a microtask),
 * like a real bus, so no caller relies on a subscriber running inside `publish`.
 */
export function createMemoryBus(broker: MemoryBroker = createMemoryBroker()): Bus {
  const own = new Set<BusHandler>();
  return {
    kind: 'memory',
    async publish(message: BusMessage) {
      for (const handler of broker.handlers) queueMicrotask(() => handler(message));
    },
    subscribe(handler) {
      broker.handlers.add(handler);
      own.add(handler);
      return () => {
        broker.handlers.delete(handler);
        own.delete(handler);
      };
    },
    health: () => ({ connected: true, reconnects: 0 }),
    async close() {
      for (const handler of own) broker.handlers.delete(handler);
      own.clear();
    },
  };
}
