/**
 * The servers under test. This is the one place that knows how each is started, reached and
 * triggered; scenarios only see a BenchTarget.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { GATEWAY_DIR, startArguments } from '@wsgw/gateway/start-script';
import type { ServerKind } from './bench-options.ts';
import { startNchanServer, type NchanInstall } from './nchan-server.ts';
import type { Endpoint } from './pool-messages.ts';
import type { ProtocolName } from './protocols/client-protocol.ts';
import {
  createGatewayTrigger,
  createNchanTrigger,
  createPeerTrigger,
  gatewayUserPush,
  nchanUserPush,
  peerUserPush,
  type BurstMode,
  type PushTrigger,
  type UserPushRoute,
} from './push-trigger.ts';
import { BENCH_HOST, findFreePort, startServerProcess, type ServerProcess } from './server-process.ts';

const RAW_SERVER_ENTRY = fileURLToPath(new URL('./raw-server.ts', import.meta.url));
const SOCKET_IO_SERVER_ENTRY = fileURLToPath(new URL('./socket-io-server.ts', import.meta.url));

/** Limits are raised far above any bench size so they never shape the result. */
const UNLIMITED = '1000000';

export interface BenchTarget {
  kind: ServerKind;
  /** The process the trigger talks to; its CPU and memory are the ones reported. */
  server: ServerProcess;
  /** Clients are spread over these. */
  endpoints: Endpoint[];
  protocol: ProtocolName;
  /** Secret the clients sign their tokens with (unused by the peers). */
  jwtSecret: string;
  trigger: PushTrigger;
  userPush: UserPushRoute;
  /** Stops every process of the target. */
  stop(): Promise<void>;
}

export interface TargetOptions {
  burstMode: BurstMode;
  readyTimeoutMs: number;
  /** Connections the target will hold (nginx sizes its tables to it). */
  connections: number;
  /** Put before every server command: CPU pinning (cpu-pinning.ts). */
  commandPrefix: string[];
  /** Needed for `nchan` only. */
  nchan?: NchanInstall;
}

const secret = (): string => randomBytes(32).toString('hex');

/**
 * How the gateway is started: exactly as `npm start` starts it, the `node` arguments of the gateway
 * workspace's start script (the compiled gateway with the compiled OTel bootstrap preloaded).
 * `observed: false` leaves the preloads out (and the environment turns metrics off).
 */
export const gatewayCommand = (observed: boolean): string[] => {
  const args = startArguments();
  // Bare: the same node flags without the preloaded modules.
  const kept = observed ? args : args.filter((arg, i) => arg !== '--import' && args[i - 1] !== '--import');
  return [process.execPath, ...profilingFlags(), ...kept];
};

/**
 * `BENCH_GATEWAY_NODE_FLAGS`: node flags for every gateway process, to look inside one under the
 * bench's load (`--cpu-prof --cpu-prof-dir=DIR`, `--trace-gc`); space-separated, none by default.
 */
const profilingFlags = (): string[] => (process.env.BENCH_GATEWAY_NODE_FLAGS ?? '').split(' ').filter((flag) => flag.length > 0);

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

const CLUSTER_SIZE = 3;

/** A Node peer server from this folder; both speak the trigger routes of peer-trigger-routes.ts. */
const startNodePeer = async (kind: ServerKind, entry: string, protocol: ProtocolName, port: number, options: TargetOptions): Promise<BenchTarget> => {
  const server = await startServerProcess({
    name: kind,
    command: [...options.commandPrefix, process.execPath, '--import', 'tsx', entry],
    cwd: GATEWAY_DIR,
    port,
    env: { PORT: String(port), HOST: BENCH_HOST, NODE_ENV: 'production' },
    readyTimeoutMs: options.readyTimeoutMs,
  });
  const trigger = createPeerTrigger({ baseUrl: server.baseUrl });
  return { kind, server, endpoints: [{ host: BENCH_HOST, port }], protocol, jwtSecret: secret(), trigger, userPush: peerUserPush, stop: () => server.stop() };
};

export const startTarget = async (kind: ServerKind, options: TargetOptions): Promise<BenchTarget> => {
  const port = await findFreePort();
  const jwtSecret = secret();
  const common = { cwd: GATEWAY_DIR, port, readyTimeoutMs: options.readyTimeoutMs };

  switch (kind) {
    case 'wsgw':
    case 'wsgw-norecord':
    case 'wsgw-bare': {
      const apiKey = secret();
      const observed = kind !== 'wsgw-bare';
      const server = await startServerProcess({
        ...common,
        name: kind,
        command: [...options.commandPrefix, ...gatewayCommand(observed)],
        // Observed: Prometheus metrics, and the OTel SDK sampling every push (spans are recorded
        // in-process; no endpoint, so nothing is exported). Bare: neither.
        // No record: the same gateway with the push inspector off, what its cost is measured against.
        env: { ...gatewayEnv(port, apiKey, jwtSecret, observed), ...(kind === 'wsgw-norecord' && { WSGW_PUSH_RECORD_MS: '0' }) },
      });
      const trigger = createGatewayTrigger({ baseUrl: server.baseUrl, apiKey, burstMode: options.burstMode });
      const endpoints = [{ host: BENCH_HOST, port }];
      return { kind, server, endpoints, protocol: 'wsgw', jwtSecret, trigger, userPush: gatewayUserPush(apiKey), stop: () => server.stop() };
    }
    case 'wsgw-cluster': {
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
            command: [...options.commandPrefix, ...gatewayCommand(false)],
            env: { ...gatewayEnv(nodePort, apiKey, jwtSecret, false), ...bus, WSGW_NODE_ID: `bench-${i + 1}`, WSGW_CLUSTER_WAIT_MS: '2000' },
          }),
        ),
      );
      // Nodes announce themselves every second: give them time to know each other.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const trigger = createGatewayTrigger({ baseUrl: nodes[0]!.baseUrl, apiKey, burstMode: options.burstMode });
      const stop = async () => void (await Promise.all(nodes.map((node) => node.stop())));
      const endpoints = ports.map((nodePort) => ({ host: BENCH_HOST, port: nodePort }));
      return { kind, server: nodes[0]!, endpoints, protocol: 'wsgw', jwtSecret, trigger, userPush: gatewayUserPush(apiKey), stop };
    }
    case 'raw':
      return startNodePeer(kind, RAW_SERVER_ENTRY, 'wsgw', port, options);
    case 'socketio':
      return startNodePeer(kind, SOCKET_IO_SERVER_ENTRY, 'socket.io', port, options);
    case 'nchan': {
      if (!options.nchan) throw new Error('nchan target started without an nchan install');
      const server = await startNchanServer({ install: options.nchan, port, maxConnections: options.connections, commandPrefix: options.commandPrefix, readyTimeoutMs: options.readyTimeoutMs });
      const trigger = createNchanTrigger({ baseUrl: server.baseUrl });
      return { kind, server, endpoints: [{ host: BENCH_HOST, port }], protocol: 'nchan', jwtSecret, trigger, userPush: nchanUserPush, stop: () => server.stop() };
    }
  }
};
