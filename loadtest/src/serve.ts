import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runPlan, type RunTarget } from './run-engine.ts';
import { fanoutPlan } from './scenarios/load-plan.ts';

export interface ServeOptions {
  port: number;
  /** `user:password` for basic auth. */
  credentials: string;
  target: RunTarget;
  workers: number;
  /** Defaults for each run; `user-count` comes from the request. */
  connectionsPerUser: number;
  messages: number;
  userPrefix: string;
}

const MAX_USERS = 20_000;

const same = (a: string, b: string) =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

function answer(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(`${JSON.stringify(body)}\n`);
}

/** `5m`, `30s`, `1500ms` or bare seconds → ms. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`timeout "${text}" is not a duration like 30s or 5m`);
  const value = Number(match[1]);
  return match[2] === 'ms' ? value : match[2] === 'm' ? value * 60_000 : value * 1000;
}

/**
 * `wsgw-load serve`: runs a fanout on request, so a harness can trigger load remotely:
 * `POST /run?user-count=N&timeout=5m` (basic auth) answers with the JSON report. One run at a time.
 */
export async function startServe(options: ServeOptions): Promise<{ server: Server; port: number }> {
  let busy = false;
  let runs = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const presented = Buffer.from((request.headers.authorization ?? '').replace(/^Basic\s+/i, ''), 'base64').toString();
    if (!request.headers.authorization?.match(/^Basic\s+/i) || !same(presented, options.credentials)) {
      return answer(response, 401, { error: 'basic auth required' }, { 'www-authenticate': 'Basic realm="wsgw-load"' });
    }
    const url = new URL(request.url ?? '/', 'http://serve.invalid');
    if (url.pathname !== '/run') return answer(response, 404, { error: 'not found' });
    if (request.method !== 'POST') return answer(response, 405, { error: 'use POST' });
    const users = Number(url.searchParams.get('user-count') ?? '');
    if (!Number.isInteger(users) || users < 1 || users > MAX_USERS) {
      return answer(response, 400, { error: `user-count must be an integer from 1 to ${MAX_USERS}` });
    }
    let timeoutMs: number;
    try {
      timeoutMs = parseDuration(url.searchParams.get('timeout') ?? '5m');
    } catch (error) {
      return answer(response, 400, { error: (error as Error).message });
    }
    if (busy) return answer(response, 409, { error: 'a run is already in progress' });
    busy = true;
    runs += 1;
    const plan = fanoutPlan({
      users,
      connectionsPerUser: options.connectionsPerUser,
      messages: options.messages,
      rampS: 2,
      userName: (i) => `${options.userPrefix}-r${runs}-u${i}`,
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const running = runPlan(plan, options.target, { workers: options.workers, ack: true });
    // The run is bounded by its plan; a caller that stops waiting does not leave it unbounded.
    running.finally(() => (busy = false)).catch(() => undefined);
    Promise.race([running, deadline]).then(
      (result) => {
        clearTimeout(timer);
        if (result === 'timeout') answer(response, 504, { error: `run did not finish within ${timeoutMs} ms` });
        else answer(response, 200, result.report);
      },
      (error: unknown) => {
        clearTimeout(timer);
        answer(response, 500, { error: error instanceof Error ? error.message : String(error) });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}
