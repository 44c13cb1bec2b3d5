import { startBroker } from '../testing/broker-process.ts';
import { describeBusContract } from './bus-contract.ts';
import { createNatsBus } from './nats.ts';

// The NATS server this machine runs (127.0.0.1:4222), shared safely through per-test prefixes;
// the fault cases get a private nats-server they can stop, restart and reconfigure.
const url = process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** One user every unauthenticated client becomes, whose subscribe permission the test can revoke. */
const natsConfig = (subscribe: 'allow' | 'deny') => `
authorization { users = [ { user: wsgw, password: wsgw-test, permissions: { subscribe: { ${subscribe}: [">"] } } } ] }
no_auth_user: wsgw
`;

describeBusContract(
  'nats',
  (prefix) => createNatsBus({ url, prefix, name: 'wsgw-test' }),
  async () => {
    const broker = await startBroker('nats', { natsConfig: natsConfig('allow') });
    return {
      makeBus: (prefix) => createNatsBus({ url: broker.url, prefix, name: 'wsgw-test' }),
      stop: broker.stop,
      restart: broker.restart,
      // Revoking the permission on reload ends the live subscriptions (a permissions violation).
      cutSubscriptions: () => broker.reconfigure(natsConfig('deny')),
      restoreSubscriptions: () => broker.reconfigure(natsConfig('allow')),
    };
  },
);
