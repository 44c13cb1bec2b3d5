import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { useTestGateways } from '@wsgw/gateway/testing';
import { startTracing } from '@wsgw/otel/tracing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWsgwClient, parseTraceparent, type WsgwClient } from './index.ts';
import { recordClient } from './testing/client-recorder.ts';

// The gateway writes a push's trace context only from a real span: record spans in process.
const tracing = await startTracing({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())], env: {} });
afterAll(() => tracing.shutdown());
const startTestGateway = useTestGateways();
let client: WsgwClient | undefined;
afterEach(() => client?.close());

const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('trace context on pushes', () => {
  it('exposes the push trace with WSGW_TRACE_CLIENTS on, split for continuing the trace', async () => {
    const gateway = await startTestGateway({ traceClients: true });
    client = createWsgwClient({ url: gateway.wsUrl, token: await gateway.token('judy'), WebSocket });
    const log = recordClient(client);
    await log.waitForState((change) => change.state === 'open');
    await gateway.api('POST', '/api/push', { to: { users: ['judy'] }, data: 1 }, { traceparent: `00-${callerTrace}-00f067aa0ba902b7-01` });
    const [push] = await log.waitForPushes(1);
    // The push continues the caller's trace; its span is the parent of whatever the client does next.
    expect(parseTraceparent(push!.trace)).toEqual({ traceId: callerTrace, spanId: expect.stringMatching(/^[0-9a-f]{16}$/), flags: '01', sampled: true });
    expect(parseTraceparent(push!.trace)!.spanId).not.toBe('00f067aa0ba902b7');
  });
});
