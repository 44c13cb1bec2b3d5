import { startSubscriptionFaultBroker } from '../testing/subscription-faults.ts';
import { describeBusContract } from './bus-contract.ts';
import { createRedisBus } from './redis.ts';

// The Redis server this machine runs (127.0.0.1:6379), shared safely through per-test prefixes;
// the fault cases get a private redis-server they can stop, restart and reconfigure.
const url = process.env.WSGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
describeBusContract(
  'redis',
  (prefix, history, nodeId) => createRedisBus({ url, prefix, history, nodeId }),
  async () => {
    const broker = await startSubscriptionFaultBroker('redis');
    return { ...broker, makeBus: (prefix, history, nodeId) => createRedisBus({ url: broker.url, prefix, history, nodeId }) };
  },
);
