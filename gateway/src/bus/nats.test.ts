import { startBroker } from '../testing/broker-process.ts';
import { describeBusContract } from './bus-contract.ts';
import { createNatsBus } from './nats.ts';

// The NATS server this machine runs (127.0.0.1:4222), shared safely through per-test prefixes;
// the reconnect case gets a private nats-server it can stop and restart.
const url = process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
describeBusContract(
  'nats',
  (prefix) => createNatsBus({ url, prefix, name: 'wsgw-test' }),
  async () => {
    const broker = await startBroker('nats');
    return { makeBus: (prefix) => createNatsBus({ url: broker.url, prefix, name: 'wsgw-test' }), stop: broker.stop, restart: broker.restart };
  },
);
