/**
 * Every environment variable the gateway reads, described once: `loadConfig` takes its defaults
 * from here and `wsgw --help` prints this table, so the two cannot drift apart.
 */
export interface ConfigVariable {
  readonly name: string;
  /** The value used when the variable is unset or empty, parsed like a value given. */
  readonly default?: string;
  /** What `--help` shows when the default is not a fixed value (a generated secret, the host name). */
  readonly shown?: string;
  readonly meaning: string;
}

export const CONFIG_VARIABLES = [
  { name: 'PORT', default: '8080', meaning: 'HTTP and WebSocket port (0 picks a free one)' },
  { name: 'HOST', default: '0.0.0.0', meaning: 'listen address' },
  { name: 'NODE_ENV', meaning: '`production` requires the secrets instead of generating them' },
  { name: 'WSGW_API_KEY', shown: 'generated in dev mode', meaning: 'bearer key of the /api routes' },
  { name: 'WSGW_ADMIN_TOKEN', shown: 'generated in dev mode', meaning: 'operator token of the console and /api/console/* (16+ characters)' },
  { name: 'WSGW_CONSOLE', default: 'true', meaning: 'serve the console at /console/ and its API' },
  { name: 'WSGW_TRACE_URL_TEMPLATE', meaning: 'link from a trace id to your trace UI, an http(s) URL with {traceId} in it' },
  { name: 'WSGW_JWT_SECRET', shown: 'generated in dev mode', meaning: 'HS256 secret for connection tokens (32+ characters)' },
  { name: 'WSGW_JWT_PUBLIC_KEY', meaning: 'PEM public key for RS256 or ES256 connection tokens' },
  { name: 'WSGW_JWT_JWKS_URL', meaning: 'http(s) URL of a JWKS endpoint whose keys verify RS256/ES256 tokens (instead of WSGW_JWT_PUBLIC_KEY)' },
  { name: 'WSGW_JWT_JWKS_COOLDOWN', default: '30s', meaning: 'least time between two JWKS fetches (an unknown kid triggers one)' },
  { name: 'WSGW_JWT_JWKS_TIMEOUT', default: '5s', meaning: 'longest a JWKS fetch may take' },
  { name: 'WSGW_JWT_JWKS_MAX_AGE', default: '10m', meaning: 'cached JWKS keys older than this are fetched again' },
  { name: 'WSGW_JWT_ISSUER', meaning: 'required `iss` of connection tokens, when set' },
  { name: 'WSGW_JWT_AUDIENCE', meaning: 'comma-separated accepted `aud` values of connection tokens, when set' },
  { name: 'WSGW_NODE_ID', shown: '<hostname>-<pid>', meaning: 'node id in welcome frames, stats and logs' },
  { name: 'WSGW_MAX_BODY', default: '1048576', meaning: 'largest /api request body, bytes (413 beyond)' },
  { name: 'WSGW_SLOW_CONSUMER_BYTES', default: '1048576', meaning: 'unsent bytes per connection above which it is closed with 1013' },
  { name: 'WSGW_MAX_CONNECTIONS', default: '100000', meaning: 'connections per node (503 beyond)' },
  { name: 'WSGW_MAX_CONNECTIONS_PER_USER', default: '100', meaning: 'connections per user (429 beyond)' },
  { name: 'WSGW_CONNECT_RATE_PER_IP', default: '100', meaning: 'new connections per second per client IP, bursts of twice that (429 beyond)' },
  { name: 'WSGW_TRUSTED_PROXIES', meaning: 'comma-separated CIDRs of proxies whose X-Forwarded-For names the client' },
  { name: 'WSGW_INBOUND_RATE', default: '50', meaning: 'client frames per second per connection, bursts of twice that (1008 beyond)' },
  { name: 'WSGW_MAX_FRAME_BYTES', default: '65536', meaning: 'largest client frame, bytes (1009 beyond)' },
  { name: 'WSGW_MAX_INVALID_FRAMES', default: '10', meaning: 'invalid client frames tolerated in a burst (1008 beyond)' },
  { name: 'WSGW_ALLOWED_ORIGINS', shown: 'any', meaning: 'comma-separated Origin values allowed to connect (403 otherwise)' },
  { name: 'WSGW_HEARTBEAT_MS', default: '25000', meaning: 'protocol ping interval, ms' },
  { name: 'WSGW_REFRESH_GRACE_MS', default: '30000', meaning: "time a connection has to answer `refresh` with a new token once its token's exp passed, ms (4003 beyond)" },
  { name: 'WSGW_IDEMPOTENCY_MS', default: '60000', meaning: 'how long a caller-supplied push id is remembered, ms' },
  { name: 'WSGW_SHUTDOWN_TIMEOUT_MS', default: '8000', meaning: 'time connections get to close on shutdown, ms' },
  { name: 'WSGW_LOG_LEVEL', default: 'info', meaning: 'pino log level' },
  { name: 'WSGW_BUS', default: 'memory', meaning: 'memory, nats://host:4222 or redis://host:6379 (credentials in the URL)' },
  { name: 'WSGW_BUS_PREFIX', default: 'wsgw', meaning: 'subject/channel prefix on the shared bus' },
  { name: 'WSGW_CLUSTER_WAIT_MS', default: '250', meaning: "how long a push waits for the other nodes' answers, ms" },
  { name: 'WSGW_NODE_TIMEOUT_MS', default: '3000', meaning: 'a node not heard from for this long leaves the cluster, ms' },
  { name: 'WSGW_METRICS', default: 'true', meaning: 'serve Prometheus metrics at /metrics' },
  { name: 'WSGW_METRICS_PORT', meaning: 'serve /metrics on this port only, not on PORT' },
  { name: 'WSGW_METRICS_TOKEN', meaning: 'Bearer token a scrape of /metrics must present (16+ characters)' },
  { name: 'WSGW_TRACE_CLIENTS', default: 'false', meaning: "add the push's traceparent to push frames" },
  { name: 'WSGW_TRACE_USER_IDS', default: 'true', meaning: 'put the opaque user id on delivery and ack spans' },
  { name: 'WSGW_SLOW_DELIVERY_MS', default: '250', meaning: 'deliveries slower than this are kept for /api/deliveries/slow, ms' },
  { name: 'WSGW_PUSH_RECORD_MS', default: '600000', meaning: 'how long each node keeps its record of a push for GET /api/pushes/:id, ms (0 turns the push inspector off)' },
  { name: 'WSGW_PUSH_RECORD_MAX', default: '50000', meaning: 'push records each node keeps at most, oldest dropped first' },
  { name: 'WSGW_PUSH_RECORD_CONNECTIONS', default: '100', meaning: 'connections a push record lists one by one per node; past it, percentiles and the slowest' },
  { name: 'WSGW_HISTORY_SIZE', default: '100', meaning: 'pushes each stream keeps for resumes' },
  { name: 'WSGW_HISTORY_TTL', default: '5m', meaning: 'how long they are kept (90s, 1h, 1500ms; a bare number is seconds)' },
  { name: 'WSGW_HISTORY_MAX_BYTES', default: '67108864', meaning: "the memory bus's history across all streams, bytes" },
] as const satisfies readonly ConfigVariable[];

export type VariableName = (typeof CONFIG_VARIABLES)[number]['name'];

const DEFAULTS = new Map<string, string | undefined>(CONFIG_VARIABLES.map((v: ConfigVariable) => [v.name, v.default]));

/** The variable's value, or its default when it is unset or blank. */
export function valueOf(env: Record<string, string | undefined>, name: VariableName): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? DEFAULTS.get(name) : value;
}

/** `wsgw --help`: the usage line and every variable with its default and meaning. */
export function configHelp(): string {
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.name.length));
  const lines = CONFIG_VARIABLES.map((v: ConfigVariable) => {
    const fallback = v.shown ?? v.default;
    return `  ${v.name.padEnd(width)}  ${v.meaning}${fallback === undefined ? '' : ` (default: ${fallback})`}`;
  });
  return ['Usage: wsgw [--help]', '', 'Starts the wsgw gateway. It is configured from the environment:', '', ...lines, ''].join('\n');
}
