import { createClient } from 'redis';
import { startBroker } from '../testing/broker-process.ts';
import { describeBusContract } from './bus-contract.ts';
import { createRedisBus } from './redis.ts';

// The Redis server this machine runs (127.0.0.1:6379), shared safely through per-test prefixes;
// the fault cases get a private redis-server they can stop, restart and reconfigure.
const url = process.env.WSGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Runs one command on the private server through a connection of its own. */
async function command(brokerUrl: string, args: string[]): Promise<void> {
  const client = createClient({ url: brokerUrl });
  await client.connect();
  try {
    await client.sendCommand(args);
  } finally {
    await client.close();
  }
}

describeBusContract(
  'redis',
  (prefix) => createRedisBus({ url, prefix }),
  async () => {
    const broker = await startBroker('redis');
    return {
      makeBus: (prefix) => createRedisBus({ url: broker.url, prefix }),
      stop: broker.stop,
      restart: broker.restart,
      // Taking the channels away from the user disconnects its subscribers (Redis 7), and the
      // client's resubscription is refused until they are given back.
      cutSubscriptions: () => command(broker.url, ['ACL', 'SETUSER', 'default', 'resetchannels']),
      restoreSubscriptions: () => command(broker.url, ['ACL', 'SETUSER', 'default', 'allchannels']),
    };
  },
);
