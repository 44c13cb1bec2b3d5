/**
 * Run as its own process by tracing.test.ts: starts tracing from the environment, as the
 * bootstrap does, and prints what it reports, whether a new root span records, and every
 * CommonJS file loaded by then. The OpenTelemetry packages are CommonJS, so an exporter that
 * was imported is in that list.
 */
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { startTracing } from '../tracing.ts';

const tracing = await startTracing();
const span = trace.getTracer('probe').startSpan('probe');
const recording = span.isRecording();
span.end();
const loaded = Object.keys(createRequire(import.meta.url).cache);
process.stdout.write(JSON.stringify({ exporting: tracing.exporting, recording, loaded }));
await tracing.shutdown();
