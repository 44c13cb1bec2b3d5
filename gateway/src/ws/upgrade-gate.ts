import type { IncomingMessage } from 'node:http';
import { bearerToken } from '../auth/secret-compare.ts';
import { TokenError, type Principal, type TokenVerifier } from '../auth/token-verifier.ts';
import type { GatewayConfig } from '../config.ts';
import { createClientAddressResolver } from '../http/forwarded-for.ts';
import type { Hub } from '../hub/hub.ts';
import type { RejectReason } from '../protocol.ts';
import type { ConnectRate } from './connect-rate.ts';

export type Admission =
  | {
      ok: true;
      principal: Principal;
      remote: string;
      /** Opened with `?resume=1`: the client's first frame will be a `resume`, so live pushes wait for its replay. */
      resume: boolean;
    }
  | { ok: false; status: number; error: string; reason?: RejectReason; /** The client address, once it is known. */ remote?: string };

export interface UpgradeGateOptions {
  config: Pick<GatewayConfig, 'allowedOrigins' | 'maxConnections' | 'maxConnectionsPerUser' | 'trustedProxies'>;
  verify: TokenVerifier;
  hub: Hub;
  connectRate: ConnectRate;
  isDraining(): boolean;
}

/**
 * Decides, before any upgrade, whether a WebSocket request may connect: origin, per-IP rate,
 * capacity, token, per-user limit, in that order (cheapest checks first, and no token work for
 * requests that are refused anyway).
 */
export function createUpgradeGate(options: UpgradeGateOptions) {
  const { config, verify, hub, connectRate } = options;
  const origins = new Set(config.allowedOrigins);
  const clientAddress = createClientAddressResolver(config.trustedProxies);

  return async function admit(request: IncomingMessage, url: URL): Promise<Admission> {
    if (options.isDraining()) return { ok: false, status: 503, error: 'server is shutting down' };
    const resume = resumeOf(url);
    if (resume === undefined) return { ok: false, status: 400, error: 'resume must be 1 or 0 (given once)' };
    const origin = request.headers.origin;
    if (origins.size > 0 && origin !== undefined && !origins.has(origin)) {
      return { ok: false, status: 403, error: 'origin not allowed', reason: 'origin' };
    }
    const client = clientAddress.resolve(request.socket.remoteAddress, forwardedFor(request));
    if (!client) return { ok: false, status: 400, error: 'malformed X-Forwarded-For: expected a comma-separated list of IP addresses' };
    const { ip } = client;
    // A forwarded client's port is unknown: the socket's is the proxy's.
    const remote = client.forwarded ? ip : `${ip}:${request.socket.remotePort ?? 0}`;
    if (!connectRate.allow(ip)) {
      return { ok: false, status: 429, error: 'too many connection attempts', reason: 'rate', remote };
    }
    if (hub.size >= config.maxConnections) {
      return { ok: false, status: 503, error: 'connection limit reached', reason: 'limit', remote };
    }
    const token = tokenOf(request, url);
    if (typeof token !== 'string') return { ...token, remote };
    let principal: Principal;
    try {
      principal = await verify(token);
    } catch (error) {
      const message = error instanceof TokenError ? error.message : 'token is invalid';
      return { ok: false, status: 401, error: message, reason: 'auth', remote };
    }
    if (hub.connectionsOf(principal.user) >= config.maxConnectionsPerUser) {
      return { ok: false, status: 429, error: 'too many connections for this user', reason: 'limit', remote };
    }
    return { ok: true, principal, remote, resume };
  };
}

/** The `resume` query parameter: absent or `0` false, `1` true; anything else undefined. */
function resumeOf(url: URL): boolean | undefined {
  const values = url.searchParams.getAll('resume');
  if (values.length === 0) return false;
  if (values.length > 1) return undefined;
  return values[0] === '1' ? true : values[0] === '0' ? false : undefined;
}

/** Every `X-Forwarded-For` the request carries, as one list (Node joins repeated ones already). */
function forwardedFor(request: IncomingMessage): string | undefined {
  const header = request.headers['x-forwarded-for'];
  return Array.isArray(header) ? header.join(',') : header;
}

export type UpgradeGate = ReturnType<typeof createUpgradeGate>;

/**
 * The one token a request presents, in the Authorization header or the `token` query parameter.
 * A request carrying both is refused, even when one of them is valid: which of the two would be
 * checked is a guess a proxy or a log reader could get wrong, so neither is.
 */
function tokenOf(request: IncomingMessage, url: URL): string | Extract<Admission, { ok: false }> {
  const { authorization } = request.headers;
  const queried = url.searchParams.getAll('token');
  if (authorization !== undefined && queried.length > 0) {
    return { ok: false, status: 401, error: 'token given twice: send it in the Authorization header or the token query parameter, not both', reason: 'auth' };
  }
  // Node keeps only the first of repeated Authorization headers; the raw list still has them all.
  const headers = request.rawHeaders.filter((name, i) => i % 2 === 0 && name.toLowerCase() === 'authorization');
  if (queried.length > 1 || headers.length > 1) return { ok: false, status: 401, error: 'token given twice: send one token', reason: 'auth' };
  const token = authorization !== undefined ? bearerToken(authorization) : queried[0];
  if (!token) return { ok: false, status: 401, error: 'missing token', reason: 'auth' };
  return token;
}
