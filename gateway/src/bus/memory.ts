import type { Logger } from 'pino';
import { createBusListeners, type BusListeners } from './bus-listeners.ts';
import { busSubscription, type Bus, type HistoryLimits } from './bus.ts';
import { createMemoryHistory, DEFAULT_HISTORY_LIMITS, type MemoryHistory } from './memory-history.ts';

/** The in-process medium several memory buses can share (several nodes in one process), with the streams' history. */
export interface MemoryBroker {
  readonly nodes: Set<BusListeners>;
  readonly history: MemoryHistory;
}

export function createMemoryBroker(limits: HistoryLimits = DEFAULT_HISTORY_LIMITS): MemoryBroker {
  return { nodes: new Set(), history: createMemoryHistory(limits) };
}

/**
 * The default bus: a single process needs no broker. Delivery is asynchronous (a microtask),
 * like a real bus, so no caller relies on a subscriber running inside `publish`. Messages are
 * this process's own objects, so pushes are not validated again; signal bodies still pass their
 * topic's parser, and a throwing handler is isolated as on the other buses. The history is the
 * broker's: the nodes sharing it read one another's pushes, and a restart begins new epochs.
 */
export function createMemoryBus(broker: MemoryBroker = createMemoryBroker(), logger?: Logger): Bus {
  const listeners = createBusListeners(logger, 'memory');
  broker.nodes.add(listeners);
  return {
    kind: 'memory',
    async publish(outgoing) {
      // Appended at once, so positions follow the order of publishes, as delivery does.
      const message = broker.history.append(outgoing);
      for (const node of broker.nodes) queueMicrotask(() => node.deliver(message));
      return message.positions;
    },
    history: broker.history,
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
