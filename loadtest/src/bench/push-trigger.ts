/**
 * How the orchestrator asks a server under test to push. Every trigger takes
 * the same payloads and reports the recipient count the server claims for
 * each broadcast, and every user-push route builds the same kind of request,
 * so scenarios never know which server they drive.
 */
import { NCHAN_BROADCAST_CHANNEL } from './nchan-config.ts';
import type { PushPayload } from './push-payload.ts';

export interface PushTrigger {
  /**
   * Broadcasts each payload to every connection; resolves once the server
   * accepted them, with the recipients it reported per push (undefined where
   * the reply did not say).
   */
  send(payloads: readonly PushPayload[]): Promise<Array<number | undefined>>;
}

/** One push to one user as an HTTP POST, sent by the latency publisher on its kept-alive connections. */
export interface UserPushRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export type UserPushRoute = (user: string, data: PushPayload) => UserPushRequest;

const JSON_BODY = { 'content-type': 'application/json' };

/** How a gateway burst is sent: one batch request, or one request per push in parallel. */
export type BurstMode = 'batch' | 'concurrent';

const REQUEST_TIMEOUT_MS = 30_000;
const ERROR_BODY_CHARS = 300;

/** fetch() reports network failures as a bare "fetch failed"; the reason is in `cause`. */
const describeFetchError = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (!(cause instanceof Error)) return error.message;
  const code = 'code' in cause && typeof cause.code === 'string' ? ` ${cause.code}` : '';
  return `${error.message} (${cause.name}${code}: ${cause.message})`;
};

const postJson = async (url: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> => {
  const started = Date.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  }).catch((error: unknown) => {
    throw new Error(`POST ${new URL(url).pathname} failed after ${Date.now() - started} ms: ${describeFetchError(error)}`);
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`POST ${new URL(url).pathname} answered ${response.status}: ${text.slice(0, ERROR_BODY_CHARS)}`);
  }
  return text.length > 0 ? (JSON.parse(text) as unknown) : undefined;
};

const recipientsOf = (value: unknown): number | undefined => {
  if (typeof value !== 'object' || value === null || !('recipients' in value)) return undefined;
  return typeof value.recipients === 'number' ? value.recipients : undefined;
};

const resultsOf = (value: unknown, expected: number): Array<number | undefined> => {
  const results =
    typeof value === 'object' && value !== null && 'results' in value && Array.isArray(value.results)
      ? (value.results as unknown[])
      : [];
  return Array.from({ length: expected }, (_, i) => recipientsOf(results[i]));
};

export interface GatewayTriggerOptions {
  baseUrl: string;
  apiKey: string;
  burstMode: BurstMode;
}

/** Uses `POST /api/push` for single pushes and the configured burst mode for several. */
export const createGatewayTrigger = ({ baseUrl, apiKey, burstMode }: GatewayTriggerOptions): PushTrigger => {
  const auth = { authorization: `Bearer ${apiKey}` };
  const pushOne = async (data: PushPayload): Promise<number | undefined> =>
    recipientsOf(await postJson(`${baseUrl}/api/push`, { to: { all: true }, data }, auth));

  return {
    send: async (payloads) => {
      const [only] = payloads;
      if (payloads.length === 1 && only) return [await pushOne(only)];
      if (burstMode === 'concurrent') return Promise.all(payloads.map(pushOne));
      const pushes = payloads.map((data) => ({ to: { all: true }, data }));
      return resultsOf(await postJson(`${baseUrl}/api/push/batch`, { pushes }, auth), payloads.length);
    },
  };
};

/** `POST /api/push` to one user (`to.users`, the gateway's user target), with the API key. */
export const gatewayUserPush =
  (apiKey: string): UserPushRoute =>
  (user, data) => ({
    path: '/api/push',
    headers: { ...JSON_BODY, authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ to: { users: [user] }, data }),
  });

/** Drives the Node peers (peer-trigger-routes.ts): one request, all broadcasts in one tick. */
export const createPeerTrigger = ({ baseUrl }: { baseUrl: string }): PushTrigger => ({
  send: async (payloads) => {
    const reply = await postJson(`${baseUrl}/broadcast?count=${payloads.length}`, {
      pushes: payloads.map((data) => ({ data })),
    });
    return resultsOf(reply, payloads.length);
  },
});

/** `POST /push?user=` of the Node peers. */
export const peerUserPush: UserPushRoute = (user, data) => ({
  path: `/push?user=${encodeURIComponent(user)}`,
  headers: JSON_BODY,
  body: JSON.stringify({ data }),
});

/** nchan answers a publish with the channel's state; in JSON when asked. */
const NCHAN_ACCEPT = { accept: 'application/json' };

const nchanSubscribersOf = (value: unknown): number | undefined =>
  typeof value === 'object' && value !== null && 'subscribers' in value && typeof value.subscribers === 'number' ? value.subscribers : undefined;

/**
 * Publishes each payload to nchan's broadcast channel. nchan has no batch publish, so a burst is
 * that many requests at once (their order of arrival is then not defined).
 */
export const createNchanTrigger = ({ baseUrl }: { baseUrl: string }): PushTrigger => ({
  send: (payloads) =>
    Promise.all(
      payloads.map(async (data) => nchanSubscribersOf(await postJson(`${baseUrl}/pub/${NCHAN_BROADCAST_CHANNEL}`, data, NCHAN_ACCEPT))),
    ),
});

/** Publishes to the user's own channel. */
export const nchanUserPush: UserPushRoute = (user, data) => ({
  path: `/pub/${encodeURIComponent(user)}`,
  headers: { ...JSON_BODY, ...NCHAN_ACCEPT },
  body: JSON.stringify(data),
});
