import { defaultResource, detectResources, envDetector, hostDetector, processDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

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
 * Starts tracing for the gateway with only the SDK parts it uses: a Node tracer provider
 * (AsyncLocalStorage context, W3C trace context and baggage propagation), the sampler from
 * OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (the provider reads them, with the span limits),
 * and a resource named by OTEL_SERVICE_NAME (default `wsgw`) plus OTEL_RESOURCE_ATTRIBUTES.
 *
 * The OTLP exporter is imported only when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set. Without
 * an endpoint spans are still created and sampled (trace ids for exemplars and slow-delivery
 * records) but no exporter module is loaded and nothing goes over the network.
 */
export async function startTracing(options: TracingOptions = {}): Promise<Tracing> {
  const env = options.env ?? process.env;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const exporting = !options.spanProcessors && Boolean(endpoint) && env.OTEL_TRACES_EXPORTER !== 'none';
  const spanProcessors = options.spanProcessors ?? [exporting ? new BatchSpanProcessor(await otlpExporter(env)) : new NoopSpanProcessor()];
  // The SDK's telemetry.sdk.* attributes, then host, process and OTEL_RESOURCE_ATTRIBUTES, then the
  // service name last, so it wins over one in OTEL_RESOURCE_ATTRIBUTES as it did with NodeSDK.
  const resource = defaultResource()
    .merge(detectResources({ detectors: [hostDetector, processDetector, envDetector] }))
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME || 'wsgw' }));
  const provider = new NodeTracerProvider({ resource, spanProcessors });
  provider.register();
  return { exporting, shutdown: () => provider.shutdown() };
}

/**
 * The OTLP trace exporter for OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL: `http/protobuf` (the default,
 * what the compose collector receives on 4318), `http/json` or `grpc`. Each is its own package
 * and only the chosen one is imported; it reads the endpoint, headers and timeout from the env.
 */
async function otlpExporter(env: Record<string, string | undefined>): Promise<SpanExporter> {
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf';
  switch (protocol) {
    case 'http/protobuf':
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
    default:
      throw new Error(`unsupported OTEL_EXPORTER_OTLP_PROTOCOL "${protocol}": use http/protobuf, http/json or grpc`);
  }
}
