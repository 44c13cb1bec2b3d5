/**
 * What 10,000 watched streams cost a node on the NATS bus: the time until every watch is ready,
 * the heap they hold, the time to end them, and the time to close the bus while they are held. Run against a NATS server with JetStream:
 *   node --expose-gc --import tsx gateway/scripts/measure-nats-watches.ts [count] [url]
 * Prints one JSON line. The heap is measured after a forced GC, against the same bus before.
 */
import { randomUUID } from 'node:crypto';
import { createNatsBus } from '../src/bus/nats.ts';
import { removeNatsHistory } from '../src/testing/nats-history-cleanup.ts';

const count = Number(process.argv[2] ?? 10_000);
const url = process.argv[3] ?? process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const prefix = `wsgw-measure-${randomUUID()}`;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const bus = createNatsBus({ url, prefix, name: 'wsgw-measure', nodeId: 'measure' });
const heard: string[] = [];
await bus.subscribe((message) => heard.push(message.push.id)).ready;
const before = heap();

const started = performance.now();
const watches: Array<Promise<void>> = [];
for (let i = 0; i < count; i += 1) watches.push(bus.watch(`u:user-${i}`));
const made = performance.now();
await Promise.all(watches);
const ready = performance.now();
const held = heap();

// One push to the last stream watched: it is routed.
const envelope = { id: 'probe', ts: Date.now(), acceptedAt: Date.now(), publishedAt: Date.now(), payload: '1', to: { users: [`user-${count - 1}`], tags: [], all: false } };
await bus.publish({ origin: 'measure', push: envelope, headers: {} });
while (!heard.includes('probe')) await new Promise((resolve) => setTimeout(resolve, 5));

const ending = performance.now();
for (let i = 0; i < count; i += 1) bus.unwatch(`u:user-${i}`);
const ended = performance.now();
watches.length = 0;

// Shutdown with every stream still watched, as a node holding its connections closes.
for (let i = 0; i < count; i += 1) watches.push(bus.watch(`u:user-${i}`));
await Promise.all(watches);
const closing = performance.now();
await bus.close();
const closedAt = performance.now();
await removeNatsHistory(url, new Set([prefix]));

const ms = (from: number, to: number) => Math.round((to - from) * 10) / 10;
console.log(JSON.stringify({
  watches: count,
  watchCallsMs: ms(started, made),
  allReadyMs: ms(started, ready),
  heapBytes: held - before,
  heapBytesPerWatch: Math.round((held - before) / count),
  unwatchAllMs: ms(ending, ended),
  closeWatchingMs: ms(closing, closedAt),
}));
