import { afterAll } from 'vitest';
import { removeNatsHistory } from '../testing/nats-history-cleanup.ts';
import { startSubscriptionFaultBroker } from '../testing/subscription-faults.ts';
import { describeBusContract } from './bus-contract.ts';
import { createNatsBus } from './nats.ts';

// The NATS server this machine runs (127.0.0.1:4222), shared safely through per-test prefixes;
// the fault cases get a private nats-server they can stop, restart and reconfigure.
const url = process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
/** Prefixes used on the shared server, whose JetStream streams go once the suite is over. */
const prefixes = new Set<string>();
afterAll(() => removeNatsHistory(url, prefixes));
describeBusContract(
  'nats',
  (prefix, history, nodeId) => {
    prefixes.add(prefix);
    return createNatsBus({ url, prefix, name: 'wsgw-test', history, nodeId });
  },
  async () => {
    const broker = await startSubscriptionFaultBroker('nats');
    return { ...broker, makeBus: (prefix, history, nodeId) => createNatsBus({ url: broker.url, prefix, name: 'wsgw-test', history, nodeId }) };
  },
);
