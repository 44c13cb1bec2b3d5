/**
 * `npm run cluster`: three gateways on ports 8081–8083 sharing the bus in WSGW_BUS (default: the
 * local NATS at nats://127.0.0.1:4222), for trying a push to one node and seeing it arrive on
 * another. Secrets come from the environment or are generated once and shared by the three.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { mintToken } from '../src/auth/token-minter.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const PORTS = [8081, 8082, 8083];

const bus = process.env.WSGW_BUS ?? 'nats://127.0.0.1:4222';
const apiKey = process.env.WSGW_API_KEY ?? randomBytes(24).toString('base64url');
const jwtSecret = process.env.WSGW_JWT_SECRET ?? randomBytes(32).toString('hex');
const adminToken = process.env.WSGW_ADMIN_TOKEN ?? randomBytes(24).toString('base64url');

const nodes: ChildProcess[] = PORTS.map((port, i) =>
  spawn(process.execPath, ['--import', 'tsx', '--import', '@wsgw/otel/register', MAIN], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: process.env.HOST ?? '127.0.0.1',
      WSGW_NODE_ID: `gw-${i + 1}`,
      WSGW_BUS: bus,
      WSGW_BUS_PREFIX: process.env.WSGW_BUS_PREFIX ?? 'wsgw-local',
      WSGW_API_KEY: apiKey,
      WSGW_JWT_SECRET: jwtSecret,
      WSGW_ADMIN_TOKEN: adminToken,
      OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME ?? 'wsgw',
    },
  }),
);

const token = await mintToken({ secret: jwtSecret, user: 'demo', expiresIn: '24h' });
process.stdout.write(
  [
    '',
    `wsgw local cluster: ${PORTS.map((port) => `http://127.0.0.1:${port}`).join(', ')} on ${bus}`,
    '',
    `  WSGW_API_KEY=${apiKey}`,
    `  WSGW_JWT_SECRET=${jwtSecret}`,
    `  WSGW_ADMIN_TOKEN=${adminToken}`,
    '',
    'Console (any node):',
    `  http://127.0.0.1:8081/console/#token=${encodeURIComponent(adminToken)}`,
    '',
    'Connect to node 2:',
    `  npx wscat -c "ws://127.0.0.1:8082/ws?token=${token}"`,
    'Push through node 1:',
    `  curl -s -X POST http://127.0.0.1:8081/api/push -H "Authorization: Bearer ${apiKey}" -H "Content-Type: application/json" -d '{"to":{"users":["demo"]},"data":"hello from node 1"}'`,
    '',
  ].join('\n'),
);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  for (const node of nodes) node.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
await Promise.all(nodes.map((node) => new Promise((resolve) => node.once('exit', resolve))));
