import { startBroker } from '../testing/broker-process.ts';
import { describeBusContract } from './bus-contract.ts';
import { createRedisBus } from './redis.ts';

// The Redis server this machine runs (127.0.0.1:6379), shared safely through per-test prefixes;
// the reconnect case gets a private redis-server it can stop and restart.
const url = process.env.WSGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
describeBusContract(
  'redis',
  (prefix) => createRedisBus({ url, prefix }),
  async () => {
    const broker = await startBroker('redis');
    return { makeBus: (prefix) => createRedisBus({ url: broker.url, prefix }), stop: broker.stop, restart: broker.restart };
  },
);
