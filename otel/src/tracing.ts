import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface TracingOptions {
  /** Process spans in-process (tests); otherwise the standard OTEL_* variables decide. */
  spanProcessors?: SpanProcessor[];
  env?: Record<string, string | undefined>;
}

export interface Tracing {
  /** True when spans leave the process (an OTLP endpoint is configured). */
  readonly exporting: boolean;
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK for the gateway: W3C trace context, the sampler from
 * OTEL_TRACES_SAMPLER, and an OTLP exporter only when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set.
 * Without an endpoint spans are still created (trace ids for exemplars and slow-delivery records)
 * but nothing goes over the network. The gateway's metrics are Prometheus ones, so the SDK's own
 * metric and log exporters stay off unless asked for.
 */
export function startTracing(options: TracingOptions = {}): Tracing {
  const env = options.env ?? process.env;
  env.OTEL_SERVICE_NAME ??= 'wsgw';
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const exporting = !options.spanProcessors && Boolean(endpoint);
  const spanProcessors = options.spanProcessors ?? (exporting ? undefined : [new NoopSpanProcessor()]);
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME,
    instrumentations: [],
    ...(spanProcessors && { spanProcessors }),
  });
  sdk.start();
  return { exporting, shutdown: () => sdk.shutdown() };
}
