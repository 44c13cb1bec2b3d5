/**
 * What the push inspector costs the delivery path, in-process and without the bench's noise: two
 * gateways in this process, inspector on and off, each with the same connections; the same push
 * is handed to each hub in turn (`hub.deliver`, the fan-out with its synchronous first write round
 * and the record's stamping) and timed, the order alternating round by round, waiting for every
 * client to read it before the next. Then the accepting node's part alone: the inspector's
 * `accepted` per push.
 *   node --expose-gc --import tsx gateway/scripts/measure-inspector-cost.ts [connections] [rounds]
 * Prints one JSON line: median µs per push, on and off, for a one-user push and a broadcast.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { mintToken } from '../src/auth/token-minter.ts';
import { loadConfig } from '../src/config.ts';
import { createPushInspector } from '../src/inspector/push-inspector.ts';
import { envelopeOf, type NormalizedTarget } from '../src/push/push-envelope.ts';
import { createServer, type GatewayServer } from '../src/server.ts';

const connections = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 200);

interface Node {
  server: GatewayServer;
  received: number;
  sockets: WebSocket[];
}

async function startNode(recordMs: number): Promise<Node> {
  const config = loadConfig({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    WSGW_API_KEY: randomBytes(24).toString('base64url'),
    WSGW_JWT_SECRET: randomBytes(32).toString('base64url'),
    WSGW_CONSOLE: 'false',
    WSGW_LOG_LEVEL: 'silent',
    WSGW_CONNECT_RATE_PER_IP: '1000000',
    WSGW_PUSH_RECORD_MS: String(recordMs),
  });
  const server = createServer(config);
  const { port } = await server.listen();
  const node: Node = { server, received: 0, sockets: [] };
  for (let i = 0; i < connections; i += 1) {
    const token = await mintToken({ secret: config.jwtSecret!, user: `user-${i}`, tags: ['everyone'] });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${token}` } });
    ws.on('message', () => void (node.received += 1));
    await new Promise((resolve) => ws.once('open', resolve));
    node.sockets.push(ws);
  }
  // Every welcome read before the first push.
  while (node.received < connections) await new Promise((resolve) => setTimeout(resolve, 10));
  return node;
}

/** Hands the same push to the node's hub, timed; resolves once every recipient read it. */
async function deliverTimed(node: Node, to: NormalizedTarget, recipients: number): Promise<number> {
  const push = envelopeOf({ to, payload: '{"n":1}' }, randomUUID(), Date.now(), undefined, false);
  const expected = node.received + recipients;
  const started = performance.now();
  node.server.hub.deliver(push);
  const took = performance.now() - started;
  while (node.received < expected) await new Promise((resolve) => setImmediate(resolve));
  return took;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const micros = (ms: number) => Math.round(ms * 1000 * 10) / 10;

async function compare(on: Node, off: Node, to: () => NormalizedTarget, recipients: number) {
  const times = { on: [] as number[], off: [] as number[] };
  for (let round = 0; round < rounds; round += 1) {
    const order: Array<['on' | 'off', Node]> = round % 2 === 0 ? [['on', on], ['off', off]] : [['off', off], ['on', on]];
    for (const [name, node] of order) times[name].push(await deliverTimed(node, to(), recipients));
  }
  // The first tenth warms the paths up.
  const kept = (list: number[]) => list.slice(Math.floor(rounds / 10));
  const [medianOn, medianOff] = [median(kept(times.on)), median(kept(times.off))];
  return { onMicros: micros(medianOn), offMicros: micros(medianOff), ratio: Math.round((medianOn / medianOff) * 1000) / 1000 };
}

const on = await startNode(600_000);
const off = await startNode(0);
let user = 0;
const oneUser = await compare(on, off, () => ({ users: [`user-${user++ % connections}`], tags: [], all: false }), 1);
const broadcast = await compare(on, off, () => ({ users: [], tags: ['everyone'], all: false }), connections);

// The accepting node's part, which `hub.deliver` does not include: one record made per push as
// it is accepted.
const inspector = createPushInspector({ nodeId: 'n', maxAgeMs: 600_000, capacity: 50_000, connections: 100 });
const accepts = 100_000;
const envelopes = Array.from({ length: accepts }, (_, i) => envelopeOf({ to: { users: [`user-${i % 1000}`], tags: [], all: false }, payload: '1' }, randomUUID(), Date.now(), undefined, false));
const acceptStarted = performance.now();
for (const envelope of envelopes) inspector.accepted(envelope);
if (inspector.userPushes('user-0', 1).length !== 1) throw new Error('the accepted pushes were not recorded');
const acceptMicros = micros((performance.now() - acceptStarted) / accepts);

console.log(JSON.stringify({ connections, rounds, oneUser, broadcast, acceptedMicrosPerPush: acceptMicros }));
for (const node of [on, off]) {
  for (const ws of node.sockets) ws.terminate();
  await node.server.shutdown();
}
