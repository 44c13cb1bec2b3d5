import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TestClient, TestGateway } from '@wsgw/gateway/testing';

export interface ProofTraffic {
  /** Pushes accepted so far. */
  readonly pushes: number;
  stop(): Promise<void>;
}

const traceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

/** Acks every push frame the client receives, after `delayMs`. */
function ackEverything(client: TestClient, delayMs = 0) {
  client.ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type: string; id?: string };
    if (frame.type !== 'push') return;
    const ack = () => client.send({ type: 'ack', id: frame.id });
    if (delayMs === 0) ack();
    else setTimeout(ack, delayMs);
  });
}

/** One client stops reading until the node cuts it as a slow consumer (drops, a 4001 close). */
async function cutSlowConsumer(node: TestGateway): Promise<void> {
  const sloth = await node.connect('sloth');
  const socket = (sloth.ws as unknown as { _socket: Socket })._socket;
  socket.pause();
  const chunk = 'x'.repeat(32 * 1024);
  for (let i = 0; i < 400; i += 1) {
    if ((await node.push({ to: { users: ['sloth'] }, data: chunk })).body.recipients === 0) break;
  }
  socket.resume();
  await sloth.closed;
}

/**
 * Scripted traffic over two nodes sharing a bus, touching every metric the gateway dashboards read:
 * a refused upgrade, a normal close, an invalid push, a slow consumer cut off, then until `stop` a
 * round every 200 ms of traced pushes by user, tag and broadcast, some crossing the bus, acked by
 * every client (one of them late, so some deliveries are slow).
 */
export async function startProofTraffic(a: TestGateway, b: TestGateway): Promise<ProofTraffic> {
  const alice = [await a.connect('alice', ['news']), await a.connect('alice', ['news'])];
  const carol = await a.connect('carol');
  const bob = await b.connect('bob', ['news']);
  for (const client of [...alice, bob]) ackEverything(client);
  ackEverything(carol, 300);

  await a.refusal('?token=not-a-token');
  await (await a.connect('dora')).close();
  await a.api('POST', '/api/push', { to: {}, data: 1 });
  await cutSlowConsumer(a);

  let pushes = 0;
  let round = 0;
  let stopped = false;
  const push = async (node: TestGateway, body: unknown) => {
    const { status } = await node.api('POST', '/api/push', body, { traceparent: traceparent() });
    if (status === 202) pushes += 1;
  };
  // A client that drops its connection every second and comes back with a resume, missing a push each time.
  let erin = await a.connect('erin');
  const resumeErin = async () => {
    const seen = erin.welcome.streams!;
    await erin.close();
    await push(a, { to: { users: ['erin'] }, data: round });
    erin = await a.reconnect('erin', [], seen);
  };
  const loop = (async () => {
    while (!stopped) {
      round += 1;
      if (round % 5 === 0) await resumeErin();
      await Promise.all([
        push(a, { to: { users: ['alice', 'carol'] }, data: round }),
        push(a, { to: { users: ['bob'] }, data: round }),
        push(b, { to: { tags: ['news'] }, data: round }),
        round % 5 === 0 ? push(b, { to: { all: true }, data: round }) : undefined,
      ]);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    get pushes() {
      return pushes;
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
