import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { mintToken } from '../auth/token-minter.ts';
import { spawnGateway, type GatewayProcess } from '../testing/gateway-process.ts';
import { connectClient } from '../testing/test-client.ts';

interface ExportedSpan {
  /** The resource's string attributes, e.g. service.name. */
  resource: Record<string, string | undefined>;
  name: string;
  traceId: string;
}

/** A minimal OTLP/HTTP (JSON) trace receiver: it records every span posted to /v1/traces. */
async function startReceiver(port = 0): Promise<{ server: Server; url: string; spans: ExportedSpan[]; requests: string[] }> {
  const spans: ExportedSpan[] = [];
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const payload = JSON.parse(body) as { resourceSpans: any[] };
        for (const resourceSpans of payload.resourceSpans) {
          const resource = Object.fromEntries((resourceSpans.resource?.attributes ?? []).map((a: any) => [a.key, a.value?.stringValue]));
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) spans.push({ resource, name: span.name, traceId: span.traceId });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, requests };
}

let running: GatewayProcess | undefined;
afterEach(() => {
  if (running?.child.exitCode === null) running.child.kill('SIGKILL');
});

describe('OTLP export', () => {
  it('sends the push spans to the configured endpoint with the service name and resource attributes', async () => {
    const receiver = await startReceiver();
    try {
      const secret = randomBytes(32).toString('base64url');
      const apiKey = randomBytes(24).toString('base64url');
      running = spawnGateway(
        {
          NODE_ENV: 'production',
          WSGW_API_KEY: apiKey,
          WSGW_JWT_SECRET: secret,
          WSGW_CONSOLE: 'false',
          OTEL_SERVICE_NAME: 'wsgw-export-test',
          OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=export-test-1,service.name=overridden',
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_BSP_SCHEDULE_DELAY: '100',
        },
        { withTelemetry: true },
      );
      const port = await running.port;
      const client = await connectClient(`ws://127.0.0.1:${port}/ws?token=${await mintToken({ secret, user: 'alice' })}`);
      const traceId = randomBytes(16).toString('hex');
      const response = await fetch(`http://127.0.0.1:${port}/api/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
        body: JSON.stringify({ to: { users: ['alice'] }, data: 'exported' }),
      });
      expect(response.status).toBe(202);
      const [frame] = await client.waitForPushes(1);
      client.send({ type: 'ack', id: frame!.id });
      await expect.poll(() => receiver.spans.filter((s) => s.traceId === traceId).length, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(5);
      const ours = receiver.spans.filter((s) => s.traceId === traceId);
      expect(ours.map((s) => s.name).sort()).toEqual(['POST /api/push', 'wsgw.ack', 'wsgw.deliver', 'wsgw.fanout', 'wsgw.publish']);
      for (const span of ours) {
        // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES.
        expect(span.resource).toMatchObject({ 'service.name': 'wsgw-export-test', 'service.instance.id': 'export-test-1', 'telemetry.sdk.language': 'nodejs' });
      }
      await client.close();
    } finally {
      running?.child.kill('SIGTERM');
      await running?.exited;
      await new Promise((resolve) => receiver.server.close(resolve));
    }
  });

  it('sends nothing anywhere when no endpoint is set', async () => {
    // 4318 is where OTLP exporters go by default: listen there and expect silence.
    const receiver = await startReceiver(4318);
    try {
      const secret = randomBytes(32).toString('base64url');
      const apiKey = randomBytes(24).toString('base64url');
      running = spawnGateway(
        { NODE_ENV: 'production', WSGW_API_KEY: apiKey, WSGW_JWT_SECRET: secret, WSGW_CONSOLE: 'false', OTEL_BSP_SCHEDULE_DELAY: '50' },
        { withTelemetry: true },
      );
      const port = await running.port;
      const client = await connectClient(`ws://127.0.0.1:${port}/ws?token=${await mintToken({ secret, user: 'alice' })}`);
      await fetch(`http://127.0.0.1:${port}/api/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to: { users: ['alice'] }, data: 1 }),
      });
      await client.waitForPushes(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await client.close();
      running.child.kill('SIGTERM');
      await running.exited;
      expect(receiver.requests).toEqual([]);
    } finally {
      await new Promise((resolve) => receiver.server.close(resolve));
    }
  });
});
