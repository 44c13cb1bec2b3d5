import { createMemoryBroker, createMemoryBus } from './memory.ts';
import { describeBusContract } from './bus-contract.ts';

// One in-process broker per prefix stands in for a shared server.
const brokers = new Map<string, ReturnType<typeof createMemoryBroker>>();
describeBusContract('memory', (prefix, history, nodeId) => {
  let broker = brokers.get(prefix);
  if (!broker) brokers.set(prefix, (broker = createMemoryBroker(history)));
  return createMemoryBus(broker, { nodeId });
});
