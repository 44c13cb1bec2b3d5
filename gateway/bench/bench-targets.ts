/**
 * The servers under test. This is the one place that knows how each is
 * started and triggered; scenarios only see a BenchTarget.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerKind } from './bench-options.ts';
import { createGatewayTrigger, createRawTrigger, type BurstMode, type PushTrigger } from './push-trigger.ts';
import { BENCH_HOST, findFreePort, startServerProcess, type ServerProcess } from './server-process.ts';

const GATEWAY_DIR = fileURLToPath(new URL('..', import.meta.url));
const RAW_SERVER_ENTRY = fileURLToPath(new URL('./raw-server.ts', import.meta.url));

/** Limits are raised far above any bench size so they never shape the result. */
const UNLIMITED = '100000';

export interface BenchTarget {
  kind: ServerKind;
  server: ServerProcess;
  /** WebSocket endpoint without query. */
  wsUrl: string;
  /** Secret the clients sign their tokens with (ignored by the raw server). */
  jwtSecret: string;
  trigger: PushTrigger;
}

export interface TargetOptions {
  gatewayEntry: string;
  burstMode: BurstMode;
  readyTimeoutMs: number;
}

const secret = (): string => randomBytes(32).toString('hex');

/** Checked before any server starts, so a missing gateway fails the run up front. */
export const gatewayEntryPath = (entry: string): string => {
  const path = resolve(GATEWAY_DIR, entry);
  if (!existsSync(path)) {
    throw new Error(`gateway entry ${entry} does not exist yet; pass --only raw or --gateway-entry <file>`);
  }
  return path;
};

export const startTarget = async (kind: ServerKind, options: TargetOptions): Promise<BenchTarget> => {
  const port = await findFreePort();
  const jwtSecret = secret();
  const common = { cwd: GATEWAY_DIR, port, readyTimeoutMs: options.readyTimeoutMs };
  const wsUrl = `ws://${BENCH_HOST}:${port}/ws`;

  switch (kind) {
    case 'gateway':
    case 'observed': {
      const apiKey = secret();
      const server = await startServerProcess({
        ...common,
        name: kind,
        entry: gatewayEntryPath(options.gatewayEntry),
        // Observability on: Prometheus metrics, and the OTel SDK sampling every push (spans are
        // recorded in-process; no endpoint, so nothing is exported). Off: neither.
        ...(kind === 'observed' && { preload: ['@wsgw/otel/register'] }),
        env: {
          WSGW_METRICS: String(kind === 'observed'),
          ...(kind === 'observed' && { OTEL_TRACES_SAMPLER: 'always_on' }),
          PORT: String(port),
          HOST: BENCH_HOST,
          NODE_ENV: 'production',
          WSGW_API_KEY: apiKey,
          WSGW_JWT_SECRET: jwtSecret,
          WSGW_LOG_LEVEL: 'warn',
          WSGW_MAX_CONNECTIONS: UNLIMITED,
          WSGW_MAX_CONNECTIONS_PER_USER: UNLIMITED,
          WSGW_CONNECT_RATE_PER_IP: UNLIMITED,
        },
      });
      const trigger = createGatewayTrigger({ baseUrl: server.baseUrl, apiKey, burstMode: options.burstMode });
      return { kind, server, wsUrl, jwtSecret, trigger };
    }
    case 'raw': {
      const server = await startServerProcess({
        ...common,
        name: 'raw',
        entry: RAW_SERVER_ENTRY,
        env: { PORT: String(port), HOST: BENCH_HOST },
      });
      return { kind, server, wsUrl, jwtSecret, trigger: createRawTrigger({ baseUrl: server.baseUrl }) };
    }
  }
};
