/**
 * Loaded before the gateway with `node --import @wsgw/otel/register` (TypeScript, under tsx) or
 * `node --import @wsgw/otel/dist/register` (compiled, what `npm start` and the image run), so the
 * SDK is in place before any gateway module asks `@opentelemetry/api` for a tracer. Configured
 * only by the standard OTEL_* variables; OTEL_SDK_DISABLED=true turns it off.
 */
import { startTracing } from './src/tracing.ts';

if (process.env.OTEL_SDK_DISABLED !== 'true') {
  // Awaited at the top level: Node finishes an --import module, exporter included, before the
  // gateway's first line runs.
  const tracing = await startTracing();
  // Flush spans still batched when the gateway is asked to stop; its own handler drains connections.
  const flush = () => void tracing.shutdown().catch(() => undefined);
  process.once('SIGTERM', flush);
  process.once('SIGINT', flush);
}
