import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '@wsgw/otel/tracing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../protocol.ts';
import { startPrometheus } from '../testing/prometheus-server.ts';
import type { TestClient } from '../testing/test-client.ts';
import { useTestGateways } from '../testing/test-gateway.ts';
import { MetricNames } from './metric-names.ts';

const exporter = new InMemorySpanExporter();
const tracing = await startTracing({ spanProcessors: [new SimpleSpanProcessor(exporter)], env: {} });
afterAll(() => tracing.shutdown());
const startTestGateway = useTestGateways();

/** Reads until `ok` holds (Prometheus scrapes every second), and returns that reading. */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await read();
      if (!ok(value)) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
      return value;
    },
    { timeout: timeoutMs, interval: 250 },
  );
}

describe('metrics scraped by a real Prometheus', () => {
  it('counts exactly what clients received and links latency buckets to traces', async () => {
    const gateway = await startTestGateway({ slowConsumerBytes: 64 * 1024 });
    const prometheus = await startPrometheus([new URL(gateway.http).host]);
    try {
      const alice = [await gateway.connect('alice'), await gateway.connect('alice')];
      const bob = await gateway.connect('bob');
      const sloth = await gateway.connect('sloth');
      const pushes = [
        { to: { users: ['alice'] }, data: 1 },
        { to: { users: ['bob'] }, data: 2 },
        { to: { all: true }, data: 3 },
        { to: { users: ['alice', 'bob'] }, data: 4 },
        { to: { all: true }, data: 5 },
      ];
      for (const push of pushes) expect((await gateway.push(push)).status).toBe(202);
      for (const client of alice) {
        for (const frame of await client.waitForPushes(4)) client.send({ type: 'ack', id: frame.id });
      }

      // One slow consumer: it stops reading and is cut at the limit.
      const socket = (sloth.ws as unknown as { _socket: Socket })._socket;
      socket.pause();
      const chunk = 'x'.repeat(32 * 1024);
      let kicked = false;
      for (let i = 0; i < 400 && !kicked; i += 1) {
        kicked = (await gateway.push({ to: { users: ['sloth'] }, data: chunk })).body.recipients === 0;
      }
      expect(kicked).toBe(true);
      socket.resume();
      expect((await sloth.closed).code).toBe(CloseCode.TryAgainLater);

      const clients: TestClient[] = [...alice, bob, sloth];
      const received = clients.reduce((sum, client) => sum + client.pushes().length, 0);
      const value = async (expr: string) => Number((await prometheus.query(expr))[0]?.value[1] ?? Number.NaN);
      await until(() => value(MetricNames.deliveries), (v) => v === received, `${MetricNames.deliveries} = ${received}`);
      await until(() => value(`${MetricNames.connectionsClosed}{reason="slow_consumer"}`), (v) => v === 1, 'one slow-consumer close');
      expect(await value(`${MetricNames.pushes}{target="all"}`)).toBe(2);
      expect(await value(`${MetricNames.acks}`)).toBe(8);
      expect(await value(`${MetricNames.deliveriesDropped}{reason="slow_consumer"}`)).toBeGreaterThan(0);
      expect(await value(`${MetricNames.pushToAck}_count`)).toBe(8);

      const now = Date.now() / 1000;
      const ackTraces = new Set(exporter.getFinishedSpans().filter((s) => s.name === 'wsgw.ack').map((s) => s.spanContext().traceId));
      const series = await until(
        () => prometheus.queryExemplars(`${MetricNames.pushToAck}_bucket`, now - 300, now + 60),
        (found) => found.length > 0,
        'push-to-ack exemplars',
      );
      const exemplarTraces = series.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
      expect(exemplarTraces.length).toBeGreaterThan(0);
      for (const traceId of exemplarTraces) expect(ackTraces.has(traceId!)).toBe(true);
    } finally {
      await prometheus.stop();
    }
  }, 60_000);

  it('passes promtool check metrics for the wsgw_* families', async () => {
    const gateway = await startTestGateway();
    const client = await gateway.connect('alice');
    await gateway.push({ to: { all: true }, data: 1 });
    await client.waitForPushes(1);
    const text = await (await fetch(`${gateway.http}/metrics`)).text();
    const families = text.split('\n\n').filter((block) => block.includes('# TYPE wsgw_'));
    expect(families.length).toBe(Object.keys(MetricNames).length);
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const promtool = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let output = '';
      promtool.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      promtool.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      promtool.once('error', reject);
      promtool.once('close', (code) => resolve({ code, output }));
      promtool.stdin.end(`${families.join('\n\n')}\n`);
    });
    expect(output).toBe('');
    expect(code).toBe(0);
  });
});
