/**
 * A load-test worker process: holds its share of the client connections, records every delivery
 * (latency, sequence) and acks it, and reports to the driver over IPC. Run by worker-pool.ts.
 */
import WebSocket from 'ws';
import type { ServerFrame } from '@wsgw/gateway/protocol';
import { createDeliveryLedger, EMPTY_OUTCOME, addOutcomes, type DeliveryLedger } from '../accounting/delivery-ledger.ts';
import { createLatencyHistogram } from '../metrics/latency-histogram.ts';
import { epochMs } from '../clock.ts';
import { addPingTallies, createPinger, NO_PINGS, type PingOptions } from './pinger.ts';
import type { ConnectionSpec, FromWorker, ToWorker } from './worker-messages.ts';

interface Client {
  spec: ConnectionSpec;
  ws: WebSocket;
  ledger: DeliveryLedger;
  pinger?: ReturnType<typeof createPinger>;
}

const TICK_MS = 1000;
const clients: Client[] = [];
const total = createLatencyHistogram();
const interval = createLatencyHistogram();
const connectLatency = createLatencyHistogram();
const errors: Record<string, number> = {};
let receivedSinceTick = 0;
let acksSinceTick = 0;
let open = 0;

const send = (message: FromWorker) => process.send?.(message);
const countError = (kind: string) => (errors[kind] = (errors[kind] ?? 0) + 1);

function onFrame(client: Client, data: WebSocket.RawData, ack: boolean): void {
  const receivedAt = epochMs();
  let frame: ServerFrame;
  try {
    frame = JSON.parse(data.toString()) as ServerFrame;
  } catch {
    countError('invalid frame');
    return;
  }
  if (client.pinger?.onFrame(frame)) return;
  if (frame.type === 'error') return void countError(`server error: ${frame.error}`);
  if (frame.type !== 'push') return;
  const payload = frame.data as { stream?: string; seq?: number; sentAt?: number } | null;
  if (typeof payload?.seq !== 'number' || typeof payload.sentAt !== 'number') return void countError('push without sequence');
  if (payload.stream !== client.spec.stream) return void countError('misdelivery: push of another stream');
  if (!client.ledger.receive(payload.seq)) return; // duplicates are counted by the ledger, not timed twice
  const latency = receivedAt - payload.sentAt;
  total.recordMs(latency);
  interval.recordMs(latency);
  receivedSinceTick += 1;
  if (ack && client.ws.readyState === WebSocket.OPEN) {
    client.ws.send(JSON.stringify({ type: 'ack', id: frame.id }));
    acksSinceTick += 1;
  }
}

/** A ping round trip counts as this scenario's latency sample. */
function recordRoundTrip(ms: number): void {
  total.recordMs(ms);
  interval.recordMs(ms);
  receivedSinceTick += 1;
}

function openOne(spec: ConnectionSpec, ack: boolean, timeoutMs: number, ping: PingOptions | undefined): void {
  const started = epochMs();
  const ws = new WebSocket(spec.url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
  const client: Client = { spec, ws, ledger: createDeliveryLedger() };
  let welcomed = false;
  let failed = false;
  // A connection fails once, for its first reason: terminating after a timeout or a refusal makes
  // ws report an error too, which must not count as a second failure.
  const fail = (reason: string) => {
    if (welcomed || failed) return;
    failed = true;
    clearTimeout(timer);
    send({ type: 'failed', index: spec.index, reason });
    ws.terminate();
  };
  const timer = setTimeout(() => fail('timeout'), timeoutMs);
  ws.on('unexpected-response', (_request, response) => fail(`http ${response.statusCode ?? 0}`));
  ws.on('error', (error) => {
    if (welcomed) return void countError(`socket: ${error.message}`);
    fail(error.message.includes('ECONNREFUSED') ? 'refused' : 'error');
  });
  ws.on('message', (data) => {
    if (!welcomed) {
      welcomed = true;
      clearTimeout(timer);
      open += 1;
      clients.push(client);
      if (ping) client.pinger = createPinger(ws, ping, recordRoundTrip);
      const connectMs = epochMs() - started;
      connectLatency.recordMs(connectMs);
      send({ type: 'opened', index: spec.index, connectMs });
      return;
    }
    onFrame(client, data, ack);
  });
  ws.on('close', (code, reason) => {
    if (!welcomed) return;
    open -= 1;
    if (!closing) send({ type: 'lost-connection', index: spec.index, code, reason: reason.toString() });
  });
}

let closing = false;

process.on('message', (message: ToWorker) => {
  if (message.type === 'hello') {
    send({ type: 'ready' });
  } else if (message.type === 'open') {
    for (const spec of message.connections) openOne(spec, message.ack, message.connectTimeoutMs, message.ping);
  } else if (message.type === 'quiet') {
    for (const client of clients) client.pinger?.stop();
  } else if (message.type === 'settle') {
    let outcome = EMPTY_OUTCOME;
    for (const client of clients) {
      outcome = addOutcomes(outcome, client.ledger.settle(message.expected[client.spec.stream] ?? [], message.floors[client.spec.index] ?? 0));
    }
    let ping = NO_PINGS;
    for (const { pinger } of clients) if (pinger) ping = addPingTallies(ping, pinger.tally);
    send({ type: 'settled', outcome, latency: total.encode(), connectLatency: connectLatency.encode(), ping });
  } else if (message.type === 'close') {
    closing = true;
    for (const client of clients) client.ws.terminate();
    setTimeout(() => process.exit(0), 50);
  }
});

setInterval(() => {
  send({ type: 'tick', received: receivedSinceTick, acks: acksSinceTick, open, latency: interval.encode(), errors: { ...errors } });
  receivedSinceTick = 0;
  acksSinceTick = 0;
  interval.reset();
  for (const key of Object.keys(errors)) delete errors[key];
}, TICK_MS);

// The driver going away must not leave sockets open: exit with it.
process.on('disconnect', () => process.exit(0));
