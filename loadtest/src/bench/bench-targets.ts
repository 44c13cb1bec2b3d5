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

/** The gateway workspace: its entry files are given relative to it, and its processes run in it. */
const GATEWAY_DIR = fileURLToPath(new URL('../../../gateway/', import.meta.url));
const RAW_SERVER_ENTRY = fileURLToPath(new URL('./raw-server.ts', import.meta.url));

/** Limits are raised far above any bench size so they never shape the result. */
const UNLIMITED = '100000';

export interface BenchTarget {
  kind: ServerKind;
  /** The process the trigger talks to; its CPU is the one reported. */
  server: ServerProcess;
  /** WebSocket endpoints without query; clients are spread over them. */
  wsUrls: string[];
  /** Stops every process of the target. */
  stop(): Promise<void>;
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

/** The environment every gateway process of the bench runs with. */
const gatewayEnv = (port: number, apiKey: string, jwtSecret: string, observed: boolean): Record<string, string> => ({
  WSGW_METRICS: String(observed),
  ...(observed && { OTEL_TRACES_SAMPLER: 'always_on' }),
  PORT: String(port),
  HOST: BENCH_HOST,
  NODE_ENV: 'production',
  WSGW_API_KEY: apiKey,
  WSGW_JWT_SECRET: jwtSecret,
  WSGW_CONSOLE: 'false',
  WSGW_LOG_LEVEL: 'warn',
  WSGW_MAX_CONNECTIONS: UNLIMITED,
  WSGW_MAX_CONNECTIONS_PER_USER: UNLIMITED,
  WSGW_CONNECT_RATE_PER_IP: UNLIMITED,
});

const wsUrlOf = (port: number) => `ws://${BENCH_HOST}:${port}/ws`;
const CLUSTER_SIZE = 3;

export const startTarget = async (kind: ServerKind, options: TargetOptions): Promise<BenchTarget> => {
  const port = await findFreePort();
  const jwtSecret = secret();
  const common = { cwd: GATEWAY_DIR, port, readyTimeoutMs: options.readyTimeoutMs };

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
        env: gatewayEnv(port, apiKey, jwtSecret, kind === 'observed'),
      });
      const trigger = createGatewayTrigger({ baseUrl: server.baseUrl, apiKey, burstMode: options.burstMode });
      return { kind, server, wsUrls: [wsUrlOf(port)], stop: () => server.stop(), jwtSecret, trigger };
    }
    case 'cluster': {
      // Three gateways on the machine's NATS, their own prefix so nothing else on it interferes.
      const apiKey = secret();
      const bus = { WSGW_BUS: process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222', WSGW_BUS_PREFIX: `wsgw-bench-${randomBytes(4).toString('hex')}` };
      const ports = [port, ...(await Promise.all(Array.from({ length: CLUSTER_SIZE - 1 }, () => findFreePort())))];
      const nodes = await Promise.all(
        ports.map((nodePort, i) =>
          startServerProcess({
            ...common,
            port: nodePort,
            name: `cluster node ${i + 1}`,
            entry: gatewayEntryPath(options.gatewayEntry),
            env: { ...gatewayEnv(nodePort, apiKey, jwtSecret, false), ...bus, WSGW_NODE_ID: `bench-${i + 1}`, WSGW_CLUSTER_WAIT_MS: '2000' },
          }),
        ),
      );
      // Nodes announce themselves every second: give them time to know each other.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const trigger = createGatewayTrigger({ baseUrl: nodes[0]!.baseUrl, apiKey, burstMode: options.burstMode });
      const stop = async () => void (await Promise.all(nodes.map((node) => node.stop())));
      return { kind, server: nodes[0]!, wsUrls: ports.map(wsUrlOf), stop, jwtSecret, trigger };
    }
    case 'raw': {
      const server = await startServerProcess({
        ...common,
        name: 'raw',
        entry: RAW_SERVER_ENTRY,
        env: { PORT: String(port), HOST: BENCH_HOST },
      });
      return { kind, server, wsUrls: [wsUrlOf(port)], stop: () => server.stop(), jwtSecret, trigger: createRawTrigger({ baseUrl: server.baseUrl }) };
    }
  }
};
