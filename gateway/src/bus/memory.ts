import type { Bus, BusHandler, BusMessage, SignalHandler } from './bus.ts';

/** The in-process medium several memory buses can share (several nodes in one process). */
export interface MemoryBroker {
  readonly handlers: Set<BusHandler>;
  readonly signalHandlers: Set<SignalHandler>;
}

export function createMemoryBroker(): MemoryBroker {
  return { handlers: new Set(), signalHandlers: new Set() };
}

/**
 * The default bus: a single process needs no broker. Delivery is asynchronous (a microtask),
 * like a real bus, so no caller relies on a subscriber running inside `publish`.
 */
export function createMemoryBus(broker: MemoryBroker = createMemoryBroker()): Bus {
  const own = new Set<BusHandler>();
  const ownSignals = new Set<SignalHandler>();
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
    async signal(signal) {
      for (const handler of broker.signalHandlers) queueMicrotask(() => handler(signal));
    },
    onSignal(handler) {
      broker.signalHandlers.add(handler);
      ownSignals.add(handler);
      return () => {
        broker.signalHandlers.delete(handler);
        ownSignals.delete(handler);
      };
    },
    health: () => ({ connected: true, reconnects: 0 }),
    async close() {
      for (const handler of own) broker.handlers.delete(handler);
      for (const handler of ownSignals) broker.signalHandlers.delete(handler);
      own.clear();
      ownSignals.clear();
    },
  };
}
