import type { Logger } from 'pino';
import { createBusListeners, type BusListeners } from './bus-listeners.ts';
import { busSubscription, type Bus } from './bus.ts';

/** The in-process medium several memory buses can share (several nodes in one process). */
export interface MemoryBroker {
  readonly nodes: Set<BusListeners>;
}

export function createMemoryBroker(): MemoryBroker {
  return { nodes: new Set() };
}

/**
 * The default bus: a single process needs no broker. Delivery is asynchronous (a microtask),
 * like a real bus, so no caller relies on a subscriber running inside `publish`. Messages are
 * this process's own objects, so pushes are not validated again; signal bodies still pass their
 * topic's parser, and a throwing handler is isolated as on the other buses.
 */
export function createMemoryBus(broker: MemoryBroker = createMemoryBroker(), logger?: Logger): Bus {
  const listeners = createBusListeners(logger, 'memory');
  broker.nodes.add(listeners);
  return {
    kind: 'memory',
    async publish(message) {
      for (const node of broker.nodes) queueMicrotask(() => node.deliver(message));
    },
    // Delivery needs no broker: a handler hears every publish from the moment it is added.
    subscribe: (handler) => busSubscription(listeners.onPush(handler), Promise.resolve()),
    async signal(signal) {
      for (const node of broker.nodes) queueMicrotask(() => node.deliverSignal(signal));
    },
    onSignal: (subscription) => busSubscription(listeners.onSignal(subscription), Promise.resolve()),
    health: () => ({ connected: true, reconnects: 0 }),
    invalidMessages: listeners.invalidMessages,
    async close() {
      broker.nodes.delete(listeners);
      listeners.clear();
    },
  };
}
