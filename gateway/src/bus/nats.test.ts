import { startSubscriptionFaultBroker } from '../testing/subscription-faults.ts';
import { describeBusContract } from './bus-contract.ts';
import { createNatsBus } from './nats.ts';

// The NATS server this machine runs (127.0.0.1:4222), shared safely through per-test prefixes;
// the fault cases get a private nats-server they can stop, restart and reconfigure.
const url = process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
describeBusContract(
  'nats',
  (prefix, history) => createNatsBus({ url, prefix, name: 'wsgw-test', history }),
  async () => {
    const broker = await startSubscriptionFaultBroker('nats');
    return { ...broker, makeBus: (prefix, history) => createNatsBus({ url: broker.url, prefix, name: 'wsgw-test', history }) };
  },
);
