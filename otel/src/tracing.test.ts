import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./testing/tracing-probe.ts', import.meta.url));

/** Starts tracing in a fresh process with only `env` set; resolves with what it loaded. */
async function probe(env: Record<string, string>): Promise<{ exporting: boolean; recording: boolean; packages: Set<string> }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', PROBE], { env: { PATH: process.env.PATH ?? '', ...env } });
  const { exporting, recording, loaded } = JSON.parse(stdout) as { exporting: boolean; recording: boolean; loaded: string[] };
  const packages = new Set(loaded.map((file) => /node_modules\/(@opentelemetry\/[^/]+)\//.exec(file)?.[1]).filter((name) => name !== undefined));
  return { exporting, recording, packages };
}

describe('startTracing', () => {
  it('loads no exporter without an OTLP endpoint', async () => {
    const { exporting, recording, packages } = await probe({});
    expect(exporting).toBe(false);
    // Spans are still sampled and recorded: their trace ids feed exemplars and slow-delivery records.
    expect(recording).toBe(true);
    // The probe sees the SDK's own CommonJS files, so an exporter would be listed too.
    expect(packages).toContain('@opentelemetry/sdk-trace-node');
    expect([...packages].filter((name) => /exporter|otlp|sdk-node|sdk-metrics|sdk-logs/.test(name))).toEqual([]);
  });

  it('loads only the exporter of the configured protocol when an endpoint is set', async () => {
    // Nothing listens there; with nothing sampled the exporter is built but never called.
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_TRACES_SAMPLER: 'always_off' };
    const protobuf = await probe(endpoint);
    expect(protobuf.exporting).toBe(true);
    expect(protobuf.packages).toContain('@opentelemetry/exporter-trace-otlp-proto');
    expect(protobuf.packages).not.toContain('@opentelemetry/exporter-trace-otlp-grpc');
    const json = await probe({ ...endpoint, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' });
    expect(json.packages).toContain('@opentelemetry/exporter-trace-otlp-http');
    expect(json.packages).not.toContain('@opentelemetry/exporter-trace-otlp-proto');
  });

  it('samples as OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG say', async () => {
    expect((await probe({ OTEL_TRACES_SAMPLER: 'always_off' })).recording).toBe(false);
    expect((await probe({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' })).recording).toBe(false);
    expect((await probe({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' })).recording).toBe(true);
  });

  it('exports nothing when OTEL_TRACES_EXPORTER is none, even with an endpoint', async () => {
    const { exporting, packages } = await probe({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_TRACES_EXPORTER: 'none' });
    expect(exporting).toBe(false);
    expect([...packages].filter((name) => name.includes('exporter'))).toEqual([]);
  });
});
