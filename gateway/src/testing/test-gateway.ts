import { afterEach } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mintToken } from '../auth/token-minter.ts';
import type { Bus } from '../bus/bus.ts';
import { loadConfig, type GatewayConfig } from '../config.ts';
import type { StreamPosition } from '../protocol.ts';
import { createServer, type GatewayServer } from '../server.ts';
import { removeNatsHistory } from './nats-history-cleanup.ts';
import { connectClient, expectRefusal, type TestClient } from './test-client.ts';

export interface TestGateway {
  readonly server: GatewayServer;
  readonly config: GatewayConfig;
  readonly http: string;
  readonly wsUrl: string;
  token(user: string, tags?: string[], expiresIn?: string | number): Promise<string>;
  connect(user: string, tags?: string[]): Promise<TestClient>;
  /** Connects with `?resume=1`, sends a resume from `streams`, and waits for its `resumed`. */
  reconnect(user: string, tags: string[], streams: Record<string, StreamPosition>): Promise<TestClient>;
  refusal(query?: string, headers?: Record<string, string>): ReturnType<typeof expectRefusal>;
  /** Calls the HTTP API with the API key unless `headers` overrides it. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  push(body: unknown): Promise<{ status: number; body: any }>;
  /** Calls the console's API (`/api/console/...`) with the operator token. */
  operator(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** Starts a real gateway on 127.0.0.1 port 0, in production mode with per-test secrets. */
export async function startTestGateway(overrides: Partial<GatewayConfig> = {}, bus?: Bus): Promise<TestGateway> {
  const config: GatewayConfig = {
    ...loadConfig({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      WSGW_API_KEY: randomBytes(24).toString('base64url'),
      WSGW_JWT_SECRET: randomBytes(32).toString('base64url'),
      WSGW_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
      WSGW_LOG_LEVEL: 'silent',
    }),
    ...overrides,
  };
  const server = createServer(config, bus ? { bus } : {});
  const { port } = await server.listen();
  const http = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port}/ws`;
  const clients: TestClient[] = [];
  const token = (user: string, tags?: string[], expiresIn?: string | number) =>
    mintToken({ secret: config.jwtSecret!, user, tags, expiresIn });
  const api: TestGateway['api'] = async (method, path, body, headers = {}) => {
    const response = await fetch(`${http}${path}`, {
      method,
      headers: { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
  };
  return {
    server,
    config,
    http,
    wsUrl,
    token,
    async connect(user, tags) {
      const client = await connectClient(wsUrl, { authorization: `Bearer ${await token(user, tags)}` });
      clients.push(client);
      return client;
    },
    async reconnect(user, tags, streams) {
      const client = await connectClient(`${wsUrl}?resume=1`, { authorization: `Bearer ${await token(user, tags)}` });
      clients.push(client);
      client.send({ type: 'resume', streams });
      await client.waitFor((frame) => frame.type === 'resumed');
      return client;
    },
    refusal: (query = '', headers = {}) => expectRefusal(`${wsUrl}${query}`, headers),
    api,
    operator: (method, path, body) => api(method, `/api/console${path}`, body, { authorization: `Bearer ${config.adminToken}` }),
    push: async (body) => {
      const { status, body: answer } = await api('POST', '/api/push', body);
      return { status, body: answer };
    },
    async close() {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      await server.shutdown();
    },
  };
}

/**
 * Returns a `start` function for a test file; every gateway it started is closed after each test.
 */
export function useTestGateways(): typeof startTestGateway {
  const started: TestGateway[] = [];
  afterEach(async () => {
    const closing = started.splice(0);
    await Promise.all(closing.map((gateway) => gateway.close()));
    // The NATS bus made JetStream streams for the test's own prefix: they go with its gateways.
    const byServer = new Map<string, Set<string>>();
    for (const { config } of closing) {
      if (config.bus.startsWith('nats://') && config.busPrefix.startsWith('wsgw-test-')) byServer.set(config.bus, (byServer.get(config.bus) ?? new Set()).add(config.busPrefix));
    }
    await Promise.all([...byServer].map(([url, prefixes]) => removeNatsHistory(url, prefixes).catch(() => undefined)));
  });
  return async (overrides, bus) => {
    const gateway = await startTestGateway(overrides, bus);
    started.push(gateway);
    return gateway;
  };
}
