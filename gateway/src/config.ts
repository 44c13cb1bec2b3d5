import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { valueOf, type VariableName } from './config-variables.ts';
import { parseCidr } from './http/forwarded-for.ts';
import { MAX_RECORDED_CONNECTIONS } from './inspector/node-answers.ts';

/** Everything the gateway reads from its environment, already validated. */
export interface GatewayConfig {
  port: number;
  host: string;
  production: boolean;
  /** True when secrets were generated because none were configured (never in production). */
  devSecrets: boolean;
  nodeId: string;
  apiKey: string;
  /**
   * Operator token for the console and its `/api/console/*` endpoints, separate from the push API
   * key. Undefined only when the console is turned off (`WSGW_CONSOLE=false`).
   */
  adminToken: string | undefined;
  /** Link from a trace id to the operator's trace UI, with `{traceId}` in it (`WSGW_TRACE_URL_TEMPLATE`). */
  traceUrlTemplate: string | undefined;
  jwtSecret?: string;
  jwtPublicKey?: string;
  /**
   * An identity provider's JWKS (`WSGW_JWT_JWKS_URL`): RS256/ES256 keys by `kid`, cached, fetched
   * again for an unknown kid at most once per `cooldownMs`, each fetch bounded by `timeoutMs`.
   */
  jwks?: { url: string; cooldownMs: number; timeoutMs: number; maxAgeMs: number };
  /** Required `iss` of connection tokens (`WSGW_JWT_ISSUER`), whatever key verifies them. */
  jwtIssuer?: string;
  /** Accepted `aud` values of connection tokens (`WSGW_JWT_AUDIENCE`, comma-separated); empty: not checked. */
  jwtAudience: string[];
  /** Largest accepted HTTP body, bytes. */
  maxBodyBytes: number;
  /** Buffered bytes per connection above which it is closed as a slow consumer. */
  slowConsumerBytes: number;
  maxConnections: number;
  maxConnectionsPerUser: number;
  /** New WebSocket connections per second per client IP (burst: twice that). */
  connectRatePerIp: number;
  /** Inbound frames per second per connection (burst: twice that). */
  inboundRate: number;
  /** Largest inbound WebSocket frame, bytes. */
  maxFrameBytes: number;
  /** Invalid frames tolerated in a burst before the connection is closed with 1008. */
  maxInvalidFrames: number;
  /**
   * Proxies (CIDRs) whose `X-Forwarded-For` names the client: its address then counts for the
   * per-IP connect rate, logs and connection info. Empty means no one is trusted.
   */
  trustedProxies: string[];
  /** Empty means any origin (tokens, not cookies, authenticate connections). */
  allowedOrigins: string[];
  heartbeatMs: number;
  /** Time a connection has, from its `refresh` frame, to send a new token before it is closed with 4003, ms. */
  refreshGraceMs: number;
  /** Idempotency window for caller-supplied push ids. */
  idempotencyMs: number;
  /** Time allowed for graceful shutdown before connections are cut. */
  shutdownTimeoutMs: number;
  logLevel: string;
  /** `memory` (one process), or the URL of the NATS (`nats://`) or Redis (`redis://`) server nodes share. */
  bus: string;
  /** Subject / channel prefix on the shared bus. */
  busPrefix: string;
  /** How long a push waits for the other nodes' recipient counts, ms. */
  clusterWaitMs: number;
  /** A node not heard from for this long is dropped from the cluster, ms. */
  nodeTimeoutMs: number;
  /** Serve Prometheus metrics at /metrics (and keep them up to date). */
  metrics: boolean;
  /** Serve /metrics on this port only, not on `port` (`WSGW_METRICS_PORT`; 0 picks a free one). */
  metricsPort: number | undefined;
  /** Bearer token a scrape of /metrics must present (`WSGW_METRICS_TOKEN`). */
  metricsToken: string | undefined;
  /** Add the push's traceparent to push frames (`"trace"`), so clients can continue the trace. */
  traceClients: boolean;
  /** Put the opaque user id on delivery and ack spans. */
  traceUserIds: boolean;
  /** Deliveries slower than this (accepted → acked) are kept for `GET /api/deliveries/slow`, ms. */
  slowDeliveryMs: number;
  /**
   * The push inspector (`GET /api/pushes/:id`): records kept `maxAgeMs` (0: off, nothing recorded),
   * at most `capacity` of them, each listing up to `connections` connections per node.
   */
  pushRecords: { maxAgeMs: number; capacity: number; connections: number };
  /** What each stream keeps for resumes: its last `size` pushes within `ttlMs`; `maxBytes` bounds the memory bus. */
  history: { size: number; ttlMs: number; maxBytes: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/**
 * Reads the configuration. Without secrets outside production it generates them
 * (dev mode); with `NODE_ENV=production` missing secrets are a ConfigError.
 *
 * Every variable is read through `valueOf`, which takes the default from CONFIG_VARIABLES (the
 * table `wsgw --help` prints); the checks here are what a table cannot say.
 */
export function loadConfig(env: Env): GatewayConfig {
  const production = valueOf(env, 'NODE_ENV') === 'production';
  const jwtSecret = valueOf(env, 'WSGW_JWT_SECRET');
  const jwtPublicKey = valueOf(env, 'WSGW_JWT_PUBLIC_KEY');
  const jwksUrl = httpUrl(env, 'WSGW_JWT_JWKS_URL');
  if (jwtPublicKey && jwksUrl) {
    throw new ConfigError('WSGW_JWT_PUBLIC_KEY and WSGW_JWT_JWKS_URL are exclusive: set the one that holds your signing keys');
  }
  const hasJwtKey = Boolean(jwtSecret || jwtPublicKey || jwksUrl);
  let apiKey = valueOf(env, 'WSGW_API_KEY');
  const missing: string[] = [];
  if (!apiKey) missing.push('WSGW_API_KEY');
  if (!hasJwtKey) missing.push('WSGW_JWT_SECRET, WSGW_JWT_PUBLIC_KEY or WSGW_JWT_JWKS_URL');
  const consoleEnabled = flag(env, 'WSGW_CONSOLE');
  let adminToken = consoleEnabled ? valueOf(env, 'WSGW_ADMIN_TOKEN') : undefined;
  if (consoleEnabled && !adminToken) missing.push('WSGW_ADMIN_TOKEN (or WSGW_CONSOLE=false)');
  if (production && missing.length > 0) {
    throw new ConfigError(`production mode requires ${missing.join(' and ')}`);
  }
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    throw new ConfigError('WSGW_JWT_SECRET must be at least 32 characters');
  }
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('WSGW_ADMIN_TOKEN must be at least 16 characters');
  }
  const port = integer(env, 'PORT', 0, 65535);
  const { metricsPort, metricsToken } = metricsAccess(env, port);
  const devSecrets = missing.length > 0;
  apiKey ??= generateSecret();
  if (consoleEnabled) adminToken ??= generateSecret();
  const generatedJwt = hasJwtKey ? undefined : generateSecret();

  return {
    port,
    host: valueOf(env, 'HOST')!,
    production,
    devSecrets,
    nodeId: valueOf(env, 'WSGW_NODE_ID') ?? `${hostname()}-${process.pid}`,
    apiKey,
    adminToken,
    traceUrlTemplate: traceUrlTemplate(valueOf(env, 'WSGW_TRACE_URL_TEMPLATE')),
    jwtSecret: jwtSecret ?? generatedJwt,
    jwtPublicKey,
    ...tokenChecks(env, jwksUrl),
    maxBodyBytes: integer(env, 'WSGW_MAX_BODY', 1024),
    slowConsumerBytes: integer(env, 'WSGW_SLOW_CONSUMER_BYTES', 1024),
    maxConnections: integer(env, 'WSGW_MAX_CONNECTIONS', 1),
    maxConnectionsPerUser: integer(env, 'WSGW_MAX_CONNECTIONS_PER_USER', 1),
    connectRatePerIp: integer(env, 'WSGW_CONNECT_RATE_PER_IP', 1),
    inboundRate: integer(env, 'WSGW_INBOUND_RATE', 1),
    maxFrameBytes: integer(env, 'WSGW_MAX_FRAME_BYTES', 64),
    maxInvalidFrames: integer(env, 'WSGW_MAX_INVALID_FRAMES', 1),
    allowedOrigins: list(valueOf(env, 'WSGW_ALLOWED_ORIGINS')),
    trustedProxies: cidrs(valueOf(env, 'WSGW_TRUSTED_PROXIES')),
    heartbeatMs: integer(env, 'WSGW_HEARTBEAT_MS', 100),
    refreshGraceMs: integer(env, 'WSGW_REFRESH_GRACE_MS', 100),
    idempotencyMs: integer(env, 'WSGW_IDEMPOTENCY_MS', 1000),
    shutdownTimeoutMs: integer(env, 'WSGW_SHUTDOWN_TIMEOUT_MS', 100),
    logLevel: valueOf(env, 'WSGW_LOG_LEVEL')!,
    bus: busUrl(valueOf(env, 'WSGW_BUS')),
    busPrefix: valueOf(env, 'WSGW_BUS_PREFIX')!,
    clusterWaitMs: integer(env, 'WSGW_CLUSTER_WAIT_MS', 0),
    nodeTimeoutMs: integer(env, 'WSGW_NODE_TIMEOUT_MS', 100),
    metrics: flag(env, 'WSGW_METRICS'),
    metricsPort,
    metricsToken,
    traceClients: flag(env, 'WSGW_TRACE_CLIENTS'),
    traceUserIds: flag(env, 'WSGW_TRACE_USER_IDS'),
    slowDeliveryMs: integer(env, 'WSGW_SLOW_DELIVERY_MS', 1),
    pushRecords: pushRecordBounds(env),
    history: historyBounds(env),
  };
}

/** The push inspector's bounds: age (0 turns it off), records kept, connections listed per push. */
function pushRecordBounds(env: Env): GatewayConfig['pushRecords'] {
  return {
    maxAgeMs: integer(env, 'WSGW_PUSH_RECORD_MS', 0),
    capacity: integer(env, 'WSGW_PUSH_RECORD_MAX', 1, 10_000_000),
    connections: integer(env, 'WSGW_PUSH_RECORD_CONNECTIONS', 1, MAX_RECORDED_CONNECTIONS),
  };
}

/** What each stream's history keeps, for resume. */
function historyBounds(env: Env): GatewayConfig['history'] {
  return {
    size: integer(env, 'WSGW_HISTORY_SIZE', 0, 100_000),
    ttlMs: duration(env, 'WSGW_HISTORY_TTL', 1000),
    maxBytes: integer(env, 'WSGW_HISTORY_MAX_BYTES', 0),
  };
}

function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function cidrs(value: string | undefined): string[] {
  const entries = list(value);
  for (const entry of entries) {
    try {
      parseCidr(entry);
    } catch (error) {
      throw new ConfigError(`WSGW_TRUSTED_PROXIES must be comma-separated CIDRs such as 10.0.0.0/8 or fd00::/8: ${(error as Error).message}`);
    }
  }
  return entries;
}

function busUrl(value: string | undefined): string {
  const bus = value!;
  if (bus === 'memory' || /^(nats|redis|rediss):\/\/\S+$/.test(bus)) return bus;
  throw new ConfigError(`WSGW_BUS must be memory, nats://host:port or redis://host:port, got "${bus}"`);
}

/** The JWKS key source and the claims every connection token must carry, when configured. */
function tokenChecks(env: Env, jwksUrl: string | undefined): Pick<GatewayConfig, 'jwks' | 'jwtIssuer' | 'jwtAudience'> {
  const issuer = valueOf(env, 'WSGW_JWT_ISSUER')?.trim();
  return {
    ...(jwksUrl && {
      jwks: {
        url: jwksUrl,
        cooldownMs: duration(env, 'WSGW_JWT_JWKS_COOLDOWN', 1000),
        timeoutMs: duration(env, 'WSGW_JWT_JWKS_TIMEOUT', 100),
        maxAgeMs: duration(env, 'WSGW_JWT_JWKS_MAX_AGE', 1000),
      },
    }),
    ...(issuer && { jwtIssuer: issuer }),
    jwtAudience: list(valueOf(env, 'WSGW_JWT_AUDIENCE')),
  };
}

/** The port of `/metrics` when it has one of its own, and its token: both checked against the rest. */
function metricsAccess(env: Env, port: number): Pick<GatewayConfig, 'metricsPort' | 'metricsToken'> {
  const metricsToken = valueOf(env, 'WSGW_METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError('WSGW_METRICS_TOKEN must be at least 16 characters');
  }
  const metricsPort = valueOf(env, 'WSGW_METRICS_PORT') === undefined ? undefined : integer(env, 'WSGW_METRICS_PORT', 0, 65535);
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port) {
    throw new ConfigError(`WSGW_METRICS_PORT must differ from PORT (${port}): unset it to serve /metrics on the main port`);
  }
  return { metricsPort, metricsToken };
}

function httpUrl(env: Env, name: VariableName): string | undefined {
  const value = valueOf(env, name)?.trim();
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigError(`${name} must be an http(s) URL, got "${value}"`);
  }
  return value;
}

function traceUrlTemplate(template: string | undefined): string | undefined {
  if (template === undefined) return undefined;
  if (!/^https?:\/\//.test(template) || !template.includes('{traceId}')) {
    throw new ConfigError(`WSGW_TRACE_URL_TEMPLATE must be an http(s) URL containing {traceId}, got "${template}"`);
  }
  return template;
}

function flag(env: Env, name: VariableName): boolean {
  const raw = valueOf(env, name)?.trim().toLowerCase();
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration such as `300ms`, `90s`, `5m` or `1h`; a bare number is seconds. */
function duration(env: Env, name: VariableName, minMs: number): number {
  const raw = valueOf(env, name)!.trim();
  const match = /^(\d+)(ms|s|m|h)?$/.exec(raw);
  if (!match) throw new ConfigError(`${name} must be a duration such as 300s, 5m or 1h, got "${raw}"`);
  const ms = Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!;
  if (ms < minMs || !Number.isSafeInteger(ms)) throw new ConfigError(`${name} must be at least ${minMs} ms, got "${raw}"`);
  return ms;
}

function integer(env: Env, name: VariableName, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = valueOf(env, name)!;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}
