import type {
  ConsolePushResult,
  ConsoleSession,
  DisconnectResult,
  PushInspection,
  PushRequest,
  TagChangeRequest,
  TagChangeResult,
  UserConnections,
  UserPushes,
} from '@wsgw/gateway/protocol';

/** The subset of `fetch` the client calls. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A disconnect answer; `complete: false` when some node did not answer in time (the count is then a floor). */
export type ClusterDisconnectResult = DisconnectResult & { complete?: false };

/**
 * A failed console API call. `status` is the HTTP status, or 0 when no answer came back at all
 * (gateway unreachable, network down, timeout); `message` is the server's `error` text when it
 * sent one.
 */
export class ConsoleApiError extends Error {
  override readonly name = 'ConsoleApiError';

  constructor(
    readonly status: number,
    message: string,
    /** The JSON body of the refusal, when it had one (a 404 of the push inspector says whether every node answered). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export interface ConsoleApiOptions {
  /** Origin of the gateway, e.g. `http://127.0.0.1:8080`; empty (same origin) by default. */
  baseUrl?: string;
  /** The operator token, sent as `Authorization: Bearer`. */
  token: string;
  /** Defaults to the global fetch. */
  fetchImpl?: FetchLike;
  /** A call with no answer after this long (ms) fails with status 0. Default 10 000. */
  timeoutMs?: number;
}

/** Typed client of the `/api/console/*` HTTP endpoints. */
export interface ConsoleApi {
  /** Checks the token; 401 means it is not the operator token. */
  session(): Promise<ConsoleSession>;
  /** A user's connections on every node. */
  userConnections(user: string): Promise<UserConnections>;
  /** Closes every connection of a user across the cluster. */
  disconnectUser(user: string): Promise<ClusterDisconnectResult>;
  /** Closes one connection wherever it lives; 404 when no node holds it. */
  disconnectConnection(id: string): Promise<ClusterDisconnectResult>;
  /** Adds and removes tags on every connection of a user across the cluster. */
  changeUserTags(user: string, change: TagChangeRequest): Promise<TagChangeResult>;
  /** Adds and removes tags on one connection wherever it lives; 404 when no node holds it. */
  changeConnectionTags(id: string, change: TagChangeRequest): Promise<TagChangeResult>;
  /** Sends a push as the API would; answers once every node reported its recipients (or the wait ran out). */
  push(request: PushRequest): Promise<ConsolePushResult>;
  /** One push across the cluster, from the nodes' push records; 404 when no node remembers it. */
  pushInspection(id: string): Promise<PushInspection>;
  /** A user's recent pushes, newest first, with their outcome on that user's connections. */
  userPushes(user: string): Promise<UserPushes>;
}

// Bound here: calling a detached `fetch` off another object throws "Illegal invocation" in browsers.
const globalFetch: FetchLike = (input, init) => globalThis.fetch(input, init);

export function createConsoleApi(options: ConsoleApiOptions): ConsoleApi {
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  const fetchImpl = options.fetchImpl ?? globalFetch;
  const timeoutMs = options.timeoutMs ?? 10_000;

  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { Authorization: `Bearer ${options.token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}/api/console${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'no answer (gateway down or network unreachable)';
      throw new ConsoleApiError(0, reason);
    }
    const payload = await readJson(response);
    if (!response.ok) throw new ConsoleApiError(response.status, errorText(payload) ?? `HTTP ${response.status}`, payload);
    return payload as T;
  };

  const segment = encodeURIComponent;
  return {
    session: () => call<ConsoleSession>('GET', '/session'),
    userConnections: (user) => call<UserConnections>('GET', `/users/${segment(user)}`),
    disconnectUser: (user) => call<ClusterDisconnectResult>('POST', `/users/${segment(user)}/disconnect`),
    disconnectConnection: (id) => call<ClusterDisconnectResult>('POST', `/connections/${segment(id)}/disconnect`),
    changeUserTags: (user, change) => call<TagChangeResult>('POST', `/users/${segment(user)}/tags`, change),
    changeConnectionTags: (id, change) => call<TagChangeResult>('POST', `/connections/${segment(id)}/tags`, change),
    push: (request) => call<ConsolePushResult>('POST', '/push', request),
    pushInspection: (id) => call<PushInspection>('GET', `/pushes/${segment(id)}`),
    userPushes: (user) => call<UserPushes>('GET', `/users/${segment(user)}/pushes`),
  };
}

/** The body as JSON, or undefined when it is empty or not JSON (a proxy's HTML error page, say). */
async function readJson(response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

function errorText(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || !('error' in payload)) return undefined;
  return typeof payload.error === 'string' ? payload.error : undefined;
}
