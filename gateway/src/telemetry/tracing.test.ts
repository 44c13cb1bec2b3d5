import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '@wsgw/otel/tracing';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PushFrame } from '../protocol.ts';
import { connectClient } from '../testing/test-client.ts';
import { useTestGateways } from '../testing/test-gateway.ts';

const exporter = new InMemorySpanExporter();
const tracing = await startTracing({ spanProcessors: [new SimpleSpanProcessor(exporter)], env: {} });
afterAll(() => tracing.shutdown());
beforeEach(() => exporter.reset());
const startTestGateway = useTestGateways();

const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpan = '00f067aa0ba902b7';
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

async function spansWhen(predicate: (spans: ReadableSpan[]) => boolean): Promise<ReadableSpan[]> {
  return vi.waitFor(
    () => {
      const spans = exporter.getFinishedSpans();
      if (!predicate(spans)) throw new Error(`spans: ${spans.map((s) => s.name).join(', ')}`);
      return spans;
    },
    { timeout: 5000, interval: 10 },
  );
}

describe('one trace per push', () => {
  it('links the caller, publish, fan-out, each delivery and each ack in parent order', async () => {
    const gateway = await startTestGateway({ nodeId: 'trace-node' });
    const clients = [await gateway.connect('alice'), await gateway.connect('alice')];
    const { body } = await gateway.api('POST', '/api/push', { to: { users: ['alice'] }, data: 'traced' }, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
    for (const client of clients) {
      const [frame] = (await client.waitForPushes(1)) as PushFrame[];
      client.send({ type: 'ack', id: frame!.id });
    }
    const spans = await spansWhen((all) => all.filter((s) => s.name === 'wsgw.ack').length === 2);
    expect(spans.map((s) => s.name).sort()).toEqual(
      ['POST /api/push', 'wsgw.ack', 'wsgw.ack', 'wsgw.deliver', 'wsgw.deliver', 'wsgw.fanout', 'wsgw.publish'].sort(),
    );
    for (const span of spans) expect(span.spanContext().traceId).toBe(callerTrace);
    const byName = (name: string) => spans.filter((s) => s.name === name);
    const [server] = byName('POST /api/push');
    const [publish] = byName('wsgw.publish');
    const [fanout] = byName('wsgw.fanout');
    expect(parentOf(server!)).toBe(callerSpan);
    expect(parentOf(publish!)).toBe(server!.spanContext().spanId);
    expect(parentOf(fanout!)).toBe(publish!.spanContext().spanId);
    expect(publish!.attributes).toMatchObject({ 'messaging.system': 'wsgw', 'messaging.message.id': body.id, 'messaging.destination.name': 'user' });
    expect(fanout!.attributes).toMatchObject({ 'wsgw.fanout.matched': 2, 'wsgw.fanout.written': 2, 'wsgw.fanout.dropped': 0, 'wsgw.node': 'trace-node' });
    const deliveries = byName('wsgw.deliver');
    for (const delivery of deliveries) expect(parentOf(delivery)).toBe(fanout!.spanContext().spanId);
    expect(deliveries.map((d) => d.attributes['wsgw.connection.id']).sort()).toEqual(clients.map((c) => c.welcome.connection).sort());
    for (const ack of byName('wsgw.ack')) {
      const delivery = deliveries.find((d) => d.spanContext().spanId === parentOf(ack));
      expect(delivery?.attributes['wsgw.connection.id']).toBe(ack.attributes['wsgw.connection.id']);
    }
    for (const span of spans) expect(JSON.stringify(span.attributes)).not.toContain('traced');
  });

  it('puts trace_id exemplars on the latency histograms and trace ids on slow-delivery records', async () => {
    const gateway = await startTestGateway({ slowDeliveryMs: 50 });
    const client = await gateway.connect('bob');
    await gateway.api('POST', '/api/push', { to: { users: ['bob'] }, data: 1 }, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
    const [frame] = await client.waitForPushes(1);
    await new Promise((resolve) => setTimeout(resolve, 80)); // a client that acks late
    client.send({ type: 'ack', id: frame!.id });
    await spansWhen((all) => all.some((s) => s.name === 'wsgw.ack'));
    const metrics = await fetch(`${gateway.http}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    const text = await metrics.text();
    expect(text).toMatch(new RegExp(`wsgw_push_to_write_seconds_bucket\\{le="[^"]+"\\} 1 # \\{trace_id="${callerTrace}"\\}`));
    expect(text).toMatch(new RegExp(`wsgw_push_to_ack_seconds_bucket\\{le="[^"]+"\\} 1 # \\{trace_id="${callerTrace}"\\}`));
    const { body } = await gateway.api('GET', '/api/deliveries/slow');
    expect(body.thresholdMs).toBe(50);
    expect(body.overThreshold).toHaveLength(1);
    const [record] = body.overThreshold;
    expect(record).toMatchObject({ push: frame!.id, traceId: callerTrace, user: 'bob', connection: client.welcome.connection });
    expect(record.latencyMs).toBeGreaterThanOrEqual(80);
    expect(record.accepted).toBeLessThanOrEqual(record.published);
    expect(record.published).toBeLessThanOrEqual(record.fanoutStarted);
    expect(record.fanoutStarted).toBeLessThanOrEqual(record.written);
    expect(record.written).toBeLessThan(record.acked);
    expect(body.slowest[0]).toEqual(record);
  });

  it('adds the traceparent to push frames when WSGW_TRACE_CLIENTS is on', async () => {
    const gateway = await startTestGateway({ traceClients: true });
    const client = await gateway.connect('carol');
    await gateway.api('POST', '/api/push', { to: { users: ['carol'] }, data: 1 }, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
    const [frame] = await client.waitForPushes(1);
    expect((frame as PushFrame & { trace?: string }).trace).toMatch(new RegExp(`^00-${callerTrace}-[0-9a-f]{16}-01$`));
  });

  it('records no spans for a caller that did not sample its trace, and still passes the decision on', async () => {
    const gateway = await startTestGateway({ traceClients: true });
    const client = await gateway.connect('erin');
    await gateway.api('POST', '/api/push', { to: { users: ['erin'] }, data: 1 }, { traceparent: `00-${callerTrace}-${callerSpan}-00` });
    const [frame] = (await client.waitForPushes(1)) as Array<PushFrame & { trace?: string }>;
    client.send({ type: 'ack', id: frame!.id });
    // The frame carries the unsampled context, so a browser continuing it keeps the decision.
    expect(frame!.trace).toMatch(new RegExp(`^00-${callerTrace}-[0-9a-f]{16}-00$`));
    // A sampled push afterwards proves the pipeline ran: only its spans were recorded.
    await gateway.api('POST', '/api/push', { to: { users: ['erin'] }, data: 2 });
    await spansWhen((all) => all.some((s) => s.name === 'wsgw.fanout'));
    expect(exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === callerTrace)).toEqual([]);
  });

  it('keeps per-delivery spans bounded on a large fan-out: none when all is well', async () => {
    const gateway = await startTestGateway();
    const clients = [];
    for (let i = 0; i < 15; i += 1) clients.push(await gateway.connect(`u${i}`, ['crowd']));
    await gateway.api('POST', '/api/push', { to: { tags: ['crowd'] }, data: 1 }, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
    for (const client of clients) await client.waitForPushes(1);
    const spans = await spansWhen((all) => all.some((s) => s.name === 'wsgw.fanout'));
    expect(spans.filter((s) => s.name === 'wsgw.fanout')[0]!.attributes['wsgw.fanout.written']).toBe(15);
    expect(spans.filter((s) => s.name === 'wsgw.deliver')).toHaveLength(0);
  });

  it('traces a batch as one publish span with a fan-out per push', async () => {
    const gateway = await startTestGateway();
    const client = await gateway.connect('dora');
    const pushes = Array.from({ length: 4 }, (_, i) => ({ to: { users: ['dora'] }, data: i }));
    await gateway.api('POST', '/api/push/batch', { pushes }, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
    await client.waitForPushes(4);
    const spans = await spansWhen((all) => all.filter((s) => s.name === 'wsgw.fanout').length === 4);
    const [server] = spans.filter((s) => s.name === 'POST /api/push/batch');
    const publishes = spans.filter((s) => s.name === 'wsgw.publish');
    expect(publishes).toHaveLength(1);
    expect(parentOf(publishes[0]!)).toBe(server!.spanContext().spanId);
    expect(publishes[0]!.attributes['messaging.batch.message_count']).toBe(4);
    const fanouts = spans.filter((s) => s.name === 'wsgw.fanout');
    for (const fanout of fanouts) expect(parentOf(fanout)).toBe(publishes[0]!.spanContext().spanId);
    expect(new Set(fanouts.map((f) => f.attributes['messaging.message.id'])).size).toBe(4);
  });

  it('records a resume as a span, and each replayed push in its own trace, linked to the resume', async () => {
    const gateway = await startTestGateway({ nodeId: 'trace-node' });
    const away = await gateway.connect('alice');
    const seen = away.welcome.streams!;
    await away.close();
    const { body } = await gateway.api('POST', '/api/push', { to: { users: ['alice'] }, data: 'missed' }, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
    const back = await connectClient(`${gateway.wsUrl}?resume=1`, { authorization: `Bearer ${await gateway.token('alice')}` });
    back.send({ type: 'resume', streams: seen });
    await back.waitFor((frame) => frame.type === 'resumed');
    const spans = await spansWhen((all) => all.some((s) => s.name === 'wsgw.replay') && all.some((s) => s.name === 'wsgw.resume'));
    const [resume] = spans.filter((s) => s.name === 'wsgw.resume');
    const [replay] = spans.filter((s) => s.name === 'wsgw.replay');
    expect(resume!.attributes).toMatchObject({ 'wsgw.resume.streams': 2, 'wsgw.resume.recovered': 2, 'wsgw.resume.replayed': 1, 'wsgw.connection.id': back.welcome.connection, 'wsgw.node': 'trace-node' });
    expect(resume!.spanContext().traceId).not.toBe(callerTrace);
    expect(replay!.spanContext().traceId).toBe(callerTrace);
    expect(replay!.attributes).toMatchObject({ 'messaging.message.id': body.id, 'messaging.operation.name': 'replay' });
    expect(replay!.links.map((link) => link.context.spanId)).toEqual([resume!.spanContext().spanId]);
    await back.close();
  });
});
