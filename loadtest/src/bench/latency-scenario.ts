/**
 * The one-user push latency figure: with every client connected and otherwise idle, the publisher
 * (latency-publisher.ts) pushes at a fixed rate to random users; the clients note receive time
 * minus `sentAt` for each push. Afterwards every accepted push must have arrived exactly once:
 * missing ones are reported as loss, extra ones as duplicates.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerKind } from './bench-options.ts';
import type { BenchTarget } from './bench-targets.ts';
import type { ClientPool } from './client-pool.ts';
import { percentile } from './latency-stats.ts';
import { publishLatencyPushes } from './latency-publisher.ts';
import type { PayloadFactory } from './push-payload.ts';

/** How long stragglers get after the last push was answered, and how often the workers are asked. */
const DRAIN_MS = 3_000;
const DRAIN_POLL_MS = 200;
/**
 * Unmeasured pushes at the same rate first, so the window does not start on a server whose push
 * path has never run (and the publisher's connections are open). Their seqs start far above the
 * measured ones, so a late one is recognised and left out.
 */
const WARMUP_MS = 300;
const WARMUP_FIRST_SEQ = 1_000_000_000;

export interface LatencyPlan {
  rate: number;
  durationMs: number;
  payload: PayloadFactory;
  timeoutMs: number;
  /** Return every sample with the percentiles, for a caller that pools windows (pair-bench.ts). */
  keepSamples?: boolean;
}

export interface LatencyResult {
  server: ServerKind;
  connections: number;
  repeat: number;
  rate: number;
  durationMs: number;
  /** Pushes the server accepted, and how many of them arrived (once or more), never, or more than once. */
  accepted: number;
  received: number;
  lost: number;
  duplicates: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The publisher's worst lag behind its schedule and how many pushes were late (latency-publisher.ts). */
  publisherMaxLagMs: number;
  publisherLatePushes: number;
  warnings: string[];
  /** Every latency sample, ms, with `keepSamples`. */
  samplesMs?: number[];
}

export const runLatencyScenario = async (target: BenchTarget, pool: ClientPool, connections: number, repeat: number, plan: LatencyPlan): Promise<LatencyResult> => {
  await pool.latencyMode(true);
  const publish = { baseUrl: target.server.baseUrl, route: target.userPush, users: connections, rate: plan.rate, payload: plan.payload, requestTimeoutMs: plan.timeoutMs };
  await publishLatencyPushes({ ...publish, durationMs: WARMUP_MS, firstSeq: WARMUP_FIRST_SEQ });
  await pool.collectLatency();
  const outcome = await publishLatencyPushes({ ...publish, durationMs: plan.durationMs });

  const failed = new Set(outcome.failedSeqs);
  const samplesMs: number[] = [];
  const arrivals = new Uint32Array(outcome.scheduled);
  let unknown = 0;
  const deadline = Date.now() + DRAIN_MS;
  for (let attempt = 0; attempt < DRAIN_MS / DRAIN_POLL_MS + 1; attempt += 1) {
    const batch = await pool.collectLatency();
    batch.seqs.forEach((seq, i) => {
      if (seq >= WARMUP_FIRST_SEQ) return;
      samplesMs.push(batch.samplesMs[i]!);
      if (seq < arrivals.length && !failed.has(seq)) arrivals[seq] = (arrivals[seq] ?? 0) + 1;
      else unknown += 1;
    });
    if (samplesMs.length >= outcome.accepted || Date.now() >= deadline) break;
    await sleep(DRAIN_POLL_MS);
  }
  await pool.latencyMode(false);

  let lost = 0;
  let duplicates = 0;
  let received = 0;
  arrivals.forEach((count, seq) => {
    if (failed.has(seq)) return;
    if (count === 0) lost += 1;
    else received += 1;
    if (count > 1) duplicates += count - 1;
  });
  const warnings: string[] = [];
  if (outcome.failed > 0) warnings.push(`${outcome.failed} one-user push(es) refused or unanswered; first: ${outcome.firstError ?? '?'}`);
  if (outcome.wrongRecipients > 0) warnings.push(`${outcome.wrongRecipients} one-user push(es) reported a recipient count other than 1`);
  if (unknown > 0) warnings.push(`${unknown} latency frame(s) with a seq that was never sent`);
  // A few late sends are the publisher's own timer jitter; more than 1% means it did not keep the rate.
  if (outcome.latePushes > outcome.scheduled / 100) {
    warnings.push(`publisher fell behind its schedule: ${outcome.latePushes}/${outcome.scheduled} pushes late, up to ${outcome.maxLagMs.toFixed(1)} ms`);
  }
  return {
    server: target.kind,
    connections,
    repeat,
    rate: plan.rate,
    durationMs: plan.durationMs,
    accepted: outcome.accepted,
    received,
    lost,
    duplicates,
    p50Ms: percentile(samplesMs, 50),
    p99Ms: percentile(samplesMs, 99),
    maxMs: samplesMs.length > 0 ? samplesMs.reduce((max, ms) => Math.max(max, ms), 0) : Number.NaN,
    publisherMaxLagMs: outcome.maxLagMs,
    publisherLatePushes: outcome.latePushes,
    warnings,
    ...(plan.keepSamples && { samplesMs }),
  };
};
