/**
 * The publisher of the one-user latency figure: pushes at a fixed rate, each to a random user,
 * on an open-loop schedule (push i is due at start + i / rate, whatever the replies do) over a few
 * kept-alive HTTP connections. When every connection is busy at a due time, the push waits for one
 * and the wait is reported as lag behind the schedule, so a publisher that could not keep up is
 * visible rather than silently lowering the rate.
 *
 * Each payload's `sentAt` is the moment its request is written (epoch ms, ../clock.ts); the clients
 * subtract it on arrival.
 */
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { epochMs } from '../clock.ts';
import type { PayloadFactory } from './push-payload.ts';
import type { UserPushRoute } from './push-trigger.ts';

/** A push sent later than this after its due time counts as late. */
const LATE_AFTER_MS = 5;

export interface LatencyPublishOptions {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  route: UserPushRoute;
  /** Users `u0` … `u<users-1>`, one connection each. */
  users: number;
  /** Pushes per second. */
  rate: number;
  durationMs: number;
  /** Seq of the first push; the others follow. Default 0. */
  firstSeq?: number;
  /** Requests in flight at most, i.e. kept-alive connections. Default 4. */
  maxInFlight?: number;
  payload: PayloadFactory;
  /** Limit per request, in ms. */
  requestTimeoutMs: number;
}

export interface PublishOutcome {
  /** Pushes the server accepted (2xx); their seqs are firstSeq.. firstSeq+scheduled-1 minus the failed ones. */
  accepted: number;
  scheduled: number;
  failed: number;
  firstError: string | undefined;
  /** Accepted pushes whose reply named a recipient count other than 1. */
  wrongRecipients: number;
  /** The latest any push left behind its due time, in ms, and how many were later than LATE_AFTER_MS. */
  maxLagMs: number;
  latePushes: number;
  /** Seqs of the pushes the server refused or never answered: not expected at the clients. */
  failedSeqs: number[];
  elapsedMs: number;
}

const recipientsIn = (body: string): number | undefined => {
  const match = /"(?:recipients|subscribers)"\s*:\s*(\d+)/.exec(body);
  return match ? Number(match[1]) : undefined;
};

export const publishLatencyPushes = async (options: LatencyPublishOptions): Promise<PublishOutcome> => {
  const maxInFlight = options.maxInFlight ?? 4;
  const firstSeq = options.firstSeq ?? 0;
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
  const target = new URL(options.baseUrl);
  const scheduled = Math.max(1, Math.floor((options.rate * options.durationMs) / 1000));
  const intervalMs = 1000 / options.rate;
  const outcome: PublishOutcome = { accepted: 0, scheduled, failed: 0, firstError: undefined, wrongRecipients: 0, maxLagMs: 0, latePushes: 0, failedSeqs: [], elapsedMs: 0 };
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;

  const fail = (seq: number, why: string): void => {
    outcome.failed += 1;
    outcome.failedSeqs.push(seq);
    outcome.firstError ??= why;
  };
  const send = (seq: number): Promise<void> =>
    new Promise((resolve) => {
      const user = `u${Math.floor(Math.random() * options.users)}`;
      const push = options.route(user, options.payload(firstSeq + seq, epochMs()));
      const req = request(
        { host: target.hostname, port: target.port, method: 'POST', path: push.path, headers: push.headers, agent, timeout: options.requestTimeoutMs },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => {
            const ok = (response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300;
            if (!ok) fail(seq, `HTTP ${response.statusCode}: ${body.slice(0, 200)}`);
            else {
              outcome.accepted += 1;
              if (recipientsIn(body) !== 1) outcome.wrongRecipients += 1;
            }
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${options.requestTimeoutMs} ms`)));
      req.on('error', (error) => {
        fail(seq, error.message);
        resolve();
      });
      req.end(push.body);
    });

  const start = performance.now();
  const sent: Promise<void>[] = [];
  for (let seq = 0; seq < scheduled; seq += 1) {
    const dueAt = start + seq * intervalMs;
    const wait = dueAt - performance.now();
    if (wait >= 1) await sleep(wait);
    while (inFlight >= maxInFlight) await new Promise<void>((resolve) => (slotFreed = resolve));
    const lag = performance.now() - dueAt;
    outcome.maxLagMs = Math.max(outcome.maxLagMs, lag);
    if (lag > LATE_AFTER_MS) outcome.latePushes += 1;
    inFlight += 1;
    sent.push(
      send(seq).finally(() => {
        inFlight -= 1;
        slotFreed?.();
        slotFreed = undefined;
      }),
    );
  }
  await Promise.all(sent);
  agent.destroy();
  outcome.elapsedMs = performance.now() - start;
  return outcome;
};
