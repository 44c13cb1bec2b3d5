import type { Logger } from 'pino';
import { createBusListeners, type BusListeners } from './bus-listeners.ts';
import { busSubscription, type Bus, type HistoryLimits } from './bus.ts';
import { createMemoryHistory, DEFAULT_HISTORY_LIMITS, type MemoryHistory } from './memory-history.ts';

/** One memory bus as the broker routes to it: its listeners, the streams it watches, its node id. */
interface MemoryNode {
  readonly listeners: BusListeners;
  /** Stream → how many `watch` calls hold it (a caller may watch one stream more than once). */
  readonly watched: Map<string, number>;
  readonly id: string | undefined;
}

/** The in-process medium several memory buses can share (several nodes in one process), with the streams' history. */
export interface MemoryBroker {
  readonly nodes: Set<MemoryNode>;
  readonly history: MemoryHistory;
}

export function createMemoryBroker(limits: HistoryLimits = DEFAULT_HISTORY_LIMITS): MemoryBroker {
  return { nodes: new Set(), history: createMemoryHistory(limits) };
}

const ROUTED = Promise.resolve();

export interface MemoryBusOptions {
  logger?: Logger;
  /** The node's id, for the signals sent to it alone. */
  nodeId?: string;
}

/**
 * The default bus: a single process needs no broker. Delivery is asynchronous (a microtask),
 * like a real bus, so no caller relies on a subscriber running inside `publish`. Messages are
 * this process's own objects, so pushes are not validated again; signal bodies still pass their
 * topic's parser, and a throwing handler is isolated as on the other buses. The history is the
 * broker's: the nodes sharing it read one another's pushes, and a restart begins new epochs.
 * A push goes to the nodes watching one of its streams, as a broker's subjects would route it.
 */
export function createMemoryBus(broker: MemoryBroker = createMemoryBroker(), options: MemoryBusOptions = {}): Bus {
  const listeners = createBusListeners(options.logger, 'memory');
  const node: MemoryNode = { listeners, watched: new Map(), id: options.nodeId };
  broker.nodes.add(node);
  return {
    kind: 'memory',
    async publish(outgoing) {
      // Appended at once, so positions follow the order of publishes, as delivery does.
      const message = broker.history.append(outgoing);
      const streams = Object.keys(message.positions);
      for (const other of broker.nodes) {
        if (streams.some((stream) => other.watched.has(stream))) queueMicrotask(() => other.listeners.deliver(message));
      }
      return message.positions;
    },
    history: broker.history,
    // Delivery needs no broker: a handler hears every publish from the moment it is added.
    subscribe: (handler) => busSubscription(listeners.onPush(handler), Promise.resolve()),
    watch(stream) {
      node.watched.set(stream, (node.watched.get(stream) ?? 0) + 1);
      // Routed at once: one settled promise serves every watch.
      return ROUTED;
    },
    unwatch(stream) {
      const count = node.watched.get(stream);
      if (count === undefined) return;
      if (count > 1) node.watched.set(stream, count - 1);
      else node.watched.delete(stream);
    },
    async signal(signal, to) {
      for (const other of broker.nodes) {
        if (to === undefined || other.id === to) queueMicrotask(() => other.listeners.deliverSignal(signal));
      }
    },
    onSignal: (subscription) => busSubscription(listeners.onSignal(subscription), Promise.resolve()),
    health: () => ({ connected: true, reconnects: 0 }),
    invalidMessages: listeners.invalidMessages,
    async close() {
      broker.nodes.delete(node);
      listeners.clear();
    },
  };
}
