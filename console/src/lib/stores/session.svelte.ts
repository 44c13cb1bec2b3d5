import type { ConsoleSession } from '@wsgw/gateway/protocol';
import { takeTokenFromLocation } from '../routing/link-token.ts';
import { ConsoleApiError, createConsoleApi, type ConsoleApi, type FetchLike } from '../transport/console-api.ts';

export type SessionState = 'checking' | 'signed-out' | 'signed-in';

/** Where the token survives a reload of the tab (sessionStorage in the browser). */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface SessionStoreOptions {
  /** Gateway origin; same origin by default. */
  baseUrl?: string;
  fetchImpl?: FetchLike;
  /** Defaults to sessionStorage when there is one; null keeps the token in memory only. */
  storage?: TokenStorage | null;
  /** Token handed over by the page address; defaults to reading (and removing) `#token=…`. */
  takeLinkToken?: () => string | undefined;
}

export interface SessionStore {
  readonly state: SessionState;
  /** What the gateway said about itself when the token was checked. */
  readonly session: ConsoleSession | undefined;
  /** The signed-in operator token. */
  readonly token: string | undefined;
  /** API client for the signed-in token. */
  readonly api: ConsoleApi | undefined;
  /** Why the last sign-in failed or the session ended, for the login form. */
  readonly error: string | undefined;
  /** Signs in with the token from the address (`#token=…`) or from the tab's storage, if any. */
  start(): Promise<void>;
  /** Forgets pending checks; the session itself stays as it is. */
  stop(): void;
  /** Checks `token` against the gateway; resolves true when it is accepted. */
  login(token: string): Promise<boolean>;
  logout(reason?: string): void;
  /** Re-checks the token (after the feed dropped): signs out if the gateway no longer accepts it. */
  revalidate(): Promise<void>;
}

const STORAGE_KEY = 'wsgw.console.token';

/** What the login form says about a failed check. */
export function loginErrorText(error: unknown): string {
  if (error instanceof ConsoleApiError) {
    if (error.status === 401) return 'Invalid token';
    if (error.status === 0) return `Cannot reach the gateway: ${error.message}`;
    if (error.status === 404) return 'The console API is turned off on this gateway';
    return `The gateway answered ${error.status}: ${error.message}`;
  }
  return `Sign-in failed: ${error instanceof Error ? error.message : String(error)}`;
}

const defaultStorage = (): TokenStorage | null => {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    // Storage can throw when the browser blocks it (privacy settings, sandboxed frames).
    return null;
  }
};

/** The operator's session: which token is in use, checked against `GET /api/console/session`. */
export function createSessionStore(options: SessionStoreOptions = {}): SessionStore {
  const storage = options.storage === undefined ? defaultStorage() : options.storage;
  const takeLinkToken = options.takeLinkToken ?? takeTokenFromLocation;
  const clientFor = (token: string) => createConsoleApi({ baseUrl: options.baseUrl, token, fetchImpl: options.fetchImpl });

  let state = $state<SessionState>('signed-out');
  let session = $state.raw<ConsoleSession | undefined>(undefined);
  let token = $state<string | undefined>(undefined);
  let api = $state.raw<ConsoleApi | undefined>(undefined);
  let error = $state<string | undefined>(undefined);
  // Each check takes a number: only the latest one may change the session.
  let attempt = 0;
  let revalidating = false;

  const signOut = (reason: string | undefined) => {
    attempt += 1;
    state = 'signed-out';
    session = undefined;
    token = undefined;
    api = undefined;
    error = reason;
    storage?.removeItem(STORAGE_KEY);
  };

  const login = async (candidate: string): Promise<boolean> => {
    const mine = ++attempt;
    const trimmed = candidate.trim();
    state = 'checking';
    error = undefined;
    const client = clientFor(trimmed);
    try {
      const answer = await client.session();
      if (mine !== attempt) return false;
      storage?.setItem(STORAGE_KEY, trimmed);
      session = answer;
      token = trimmed;
      api = client;
      state = 'signed-in';
      return true;
    } catch (failure) {
      if (mine !== attempt) return false;
      // Keep a stored token when the gateway is only unreachable: a reload retries it.
      if (failure instanceof ConsoleApiError && failure.status !== 0) storage?.removeItem(STORAGE_KEY);
      state = 'signed-out';
      error = loginErrorText(failure);
      return false;
    }
  };

  return {
    get state() {
      return state;
    },
    get session() {
      return session;
    },
    get token() {
      return token;
    },
    get api() {
      return api;
    },
    get error() {
      return error;
    },
    async start() {
      const candidate = takeLinkToken() ?? storage?.getItem(STORAGE_KEY) ?? undefined;
      if (candidate) await login(candidate);
    },
    stop() {
      attempt += 1;
      if (state === 'checking') state = 'signed-out';
    },
    login,
    logout: (reason) => signOut(reason),
    async revalidate() {
      const client = api;
      if (!client || revalidating) return;
      revalidating = true;
      const mine = attempt;
      try {
        const answer = await client.session();
        if (mine === attempt) session = answer;
      } catch (failure) {
        // Only a refusal ends the session; an unreachable gateway is the feed badge's business.
        if (mine === attempt && failure instanceof ConsoleApiError && failure.status === 401) {
          signOut('The gateway no longer accepts this token: sign in again');
        }
      } finally {
        revalidating = false;
      }
    },
  };
}
