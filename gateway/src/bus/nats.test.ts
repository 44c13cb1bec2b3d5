import { describeBusContract } from './bus-contract.ts';
import { createNatsBus } from './nats.ts';

// The NATS server this machine runs (127.0.0.1:4222), shared safely through per-test prefixes.
const url = process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
describeBusContract('nats', (prefix) => createNatsBus({ url, prefix, name: 'wsgw-test' }));
