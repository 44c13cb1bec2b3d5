/**
 * What the push inspector's records cost in memory: one in-process gateway (memory bus) per mode,
 * connected users that ack every push, pushes through the batch API; the heap after a forced GC
 * is read before and after, with the inspector off and on, and the difference divided by the
 * pushes (the heap with the array buffers, where the records' typed columns are). Three cases:
 * `count` one-user pushes among 10 users (a record listing its connection), `count / 20` pushes
 * to a tag 150 connections hold (past the 100 listed: a truncated record with its histograms),
 * and as many to a tag 100 connections hold (each listed). Nothing is evicted (the count bound
 * is above `count`). With the records held, `GET /api/users/:user/pushes` for a user with none
 * is timed (median of 5): the walk over every record that answer makes.
 *   node --expose-gc --import tsx gateway/scripts/measure-push-records.ts [count]
 * Prints one JSON line.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { mintToken } from '../src/auth/token-minter.ts';
import { loadConfig } from '../src/config.ts';
import { createServer } from '../src/server.ts';

const count = Number(process.argv[2] ?? 50_000);
const BATCH = 1000;

interface Case {
  pushes: number;
  connections: number;
  /** The push number `n`'s target. */
  target(n: number): { users: string[] } | { tags: string[] };
}
const ONE_USER: Case = { pushes: count, connections: 10, target: (n) => ({ users: [`user-${n % 10}`] }) };
const FAN_OUT: Case = { pushes: Math.ceil(count / 20), connections: 150, target: () => ({ tags: ['everyone'] }) };
/** At the bound: every connection listed, the most a walk over the records compares per record. */
const LISTED: Case = { pushes: Math.ceil(count / 20), connections: 100, target: () => ({ tags: ['everyone'] }) };

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const heap = async () => {
  for (let i = 0; i < 3; i += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  // The records' typed columns live in array buffers, outside the heap.
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};

/** Heap held after the case's pushes with the inspector on (`recordMs` > 0) or off, and the walk's time when on. */
async function heldBy(recordMs: number, { pushes: count, connections, target }: Case): Promise<{ bytes: number; walkMs?: number }> {
  const config = loadConfig({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    WSGW_API_KEY: randomBytes(24).toString('base64url'),
    WSGW_JWT_SECRET: randomBytes(32).toString('base64url'),
    WSGW_CONSOLE: 'false',
    WSGW_METRICS: 'false',
    WSGW_LOG_LEVEL: 'silent',
    WSGW_INBOUND_RATE: '1000000',
    WSGW_PUSH_RECORD_MS: String(recordMs),
    WSGW_PUSH_RECORD_MAX: String(count + BATCH),
  });
  const server = createServer(config);
  const { port } = await server.listen();
  let received = 0;
  const deliveries = count * (connections === 10 ? 1 : connections);
  const sockets = await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      const token = await mintToken({ secret: config.jwtSecret!, user: `user-${i}`, tags: ['everyone'] });
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${token}` } });
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; id?: string };
        if (frame.type !== 'push') return;
        received += 1;
        ws.send(JSON.stringify({ type: 'ack', id: frame.id }));
      });
      await new Promise((resolve) => ws.once('open', resolve));
      return ws;
    }),
  );
  const api = (path: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    }).then((response) => response.json() as Promise<{ acks?: number }>);
  const before = await heap();
  for (let sent = 0; sent < count; sent += BATCH) {
    const pushes = Array.from({ length: Math.min(BATCH, count - sent) }, (_, i) => ({ to: target(sent + i), data: { n: sent + i } }));
    await api('/api/push/batch', { pushes });
  }
  while (received < deliveries || ((await api('/api/stats')).acks ?? 0) < deliveries) await new Promise((resolve) => setTimeout(resolve, 50));
  const after = await heap();
  const walks: number[] = [];
  for (let i = 0; recordMs > 0 && i < 5; i += 1) {
    const started = performance.now();
    await api('/api/users/nobody/pushes');
    walks.push(performance.now() - started);
  }
  for (const ws of sockets) ws.close();
  await server.shutdown();
  const walkMs = walks.sort((a, b) => a - b)[2];
  return { bytes: after - before, ...(walkMs !== undefined && { walkMs: Math.round(walkMs * 100) / 100 }) };
}

const perRecord = async (scenario: Case) => {
  const off = await heldBy(0, scenario);
  const on = await heldBy(600_000, scenario);
  return { pushes: scenario.pushes, connections: scenario.connections, heapBytesOff: off.bytes, heapBytesOn: on.bytes, bytesPerRecord: Math.round((on.bytes - off.bytes) / scenario.pushes), userPushesWalkMs: on.walkMs };
};
console.log(JSON.stringify({ oneUser: await perRecord(ONE_USER), fanOut: await perRecord(FAN_OUT), listed: await perRecord(LISTED) }));
