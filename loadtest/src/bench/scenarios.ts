/**
 * The two broadcast scenarios. Each runs unmeasured warm-up rounds, then the
 * measured rounds one after another; a round is one trigger of `pushes`
 * broadcasts, timed from just before the trigger request until the last
 * client received the last of them. A round that does not see every delivery
 * within the time limit reports the shortfall as loss and ends the scenario.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ScenarioKind, ServerKind } from './bench-options.ts';
import type { BenchTarget } from './bench-targets.ts';
import type { ClientPool } from './client-pool.ts';
import { epochMs } from '../clock.ts';
import { summarizeRounds, type RoundSample, type RoundSummary } from './latency-stats.ts';
import type { PayloadFactory } from './push-payload.ts';

/** Idle time between rounds so one round's tail work (GC, replies) does not bleed into the next. */
const ROUND_GAP_MS = 20;

export interface ScenarioContext {
  target: BenchTarget;
  pool: ClientPool;
  connections: number;
  /** Which `--repeat` run this is (1-based). */
  repeat: number;
  payload: PayloadFactory;
  /** Limit for one round to be fully delivered, in ms. */
  timeoutMs: number;
  /** Next unused sequence number; shared by every scenario on one client pool. */
  seqs: { next: number };
}

export interface ScenarioPlan {
  scenario: BroadcastScenario;
  rounds: number;
  warmup: number;
  /** Broadcasts per round: 1 for single, the burst size for bursts. */
  pushes: number;
}

export type BroadcastScenario = Exclude<ScenarioKind, 'latency'>;

export interface ScenarioResult extends RoundSummary {
  connections: number;
  scenario: BroadcastScenario;
  server: ServerKind;
  pushesPerRound: number;
  /** Which of the `--repeat` runs of this server it came from (1-based). */
  repeat: number;
  /** Server CPU (all threads) per delivery over the measured rounds, in µs; undefined without /proc. */
  serverCpuUsPerDelivery: number | undefined;
  /** The same for all client workers together. */
  clientCpuUsPerDelivery: number | undefined;
  ttlSamplesMs: number[];
  /** Deliveries the measured rounds should have made, and how many of them never arrived. */
  expected: number;
  lost: number;
  /** Things the server reported that disagree with what the clients saw. */
  warnings: string[];
}

interface RoundOutcome {
  sample: RoundSample;
  recipients: Array<number | undefined>;
  lost: number;
}

const runRound = async (ctx: ScenarioContext, pushes: number): Promise<RoundOutcome> => {
  const fromSeq = ctx.seqs.next;
  const toSeq = fromSeq + pushes;
  ctx.seqs.next = toSeq;

  const startMs = epochMs();
  const payloads = Array.from({ length: pushes }, (_, i) => ctx.payload(fromSeq + i, startMs));
  // Listen before triggering: deliveries can beat the trigger's HTTP reply.
  const delivered = ctx.pool.waitFor(fromSeq, toSeq, ctx.timeoutMs);
  delivered.catch(() => undefined);
  const recipients = await ctx.target.trigger.send(payloads);
  const { tallies } = await delivered;

  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = 0;
  let deliveries = 0;
  for (const t of tallies) {
    firstMs = Math.min(firstMs, t.firstMs);
    lastMs = Math.max(lastMs, t.lastMs);
    deliveries += t.count;
  }
  const lost = Math.max(0, pushes * ctx.connections - deliveries);
  return { sample: { startMs, firstMs, lastMs, deliveries }, recipients, lost };
};

const recipientWarnings = (outcomes: readonly RoundOutcome[], connections: number): string[] => {
  const reported = outcomes.flatMap((o) => o.recipients);
  const wrong = reported.filter((r) => r !== undefined && r !== connections);
  const missing = reported.filter((r) => r === undefined).length;
  const warnings: string[] = [];
  if (wrong.length > 0) {
    warnings.push(`${wrong.length} push(es) reported recipients ${[...new Set(wrong)].slice(0, 5).join('/')} instead of ${connections}`);
  }
  if (missing > 0) warnings.push(`${missing} push reply(ies) carried no recipient count`);
  return warnings;
};

/** Runs one scenario against the pool's already-connected clients. */
export const runScenario = async (ctx: ScenarioContext, plan: ScenarioPlan): Promise<ScenarioResult> => {
  const warnings: string[] = [];
  for (let i = 0; i < plan.warmup; i += 1) {
    const warm = await runRound(ctx, plan.pushes);
    await sleep(ROUND_GAP_MS);
    if (warm.lost > 0) warnings.push(`warm-up round lost ${warm.lost} deliveries`);
  }

  const cpuBefore = ctx.target.server.cpuMs();
  const clientCpuBefore = ctx.pool.cpuMs();
  const outcomes: RoundOutcome[] = [];
  for (let i = 0; i < plan.rounds; i += 1) {
    const outcome = await runRound(ctx, plan.pushes);
    outcomes.push(outcome);
    await sleep(ROUND_GAP_MS);
    if (outcome.lost > 0) {
      warnings.push(`round ${i + 1} lost ${outcome.lost} of ${plan.pushes * ctx.connections} deliveries within ${ctx.timeoutMs} ms; scenario ended`);
      break;
    }
  }
  const cpuAfter = ctx.target.server.cpuMs();
  const clientCpuAfter = ctx.pool.cpuMs();

  const samples = outcomes.map((o) => o.sample);
  const summary = summarizeRounds(samples);
  const perDelivery = (before: number | undefined, after: number | undefined): number | undefined =>
    before === undefined || after === undefined || summary.deliveries === 0
      ? undefined
      : ((after - before) * 1000) / summary.deliveries;
  return {
    ...summary,
    connections: ctx.connections,
    scenario: plan.scenario,
    server: ctx.target.kind,
    pushesPerRound: plan.pushes,
    repeat: ctx.repeat,
    serverCpuUsPerDelivery: perDelivery(cpuBefore, cpuAfter),
    clientCpuUsPerDelivery: perDelivery(clientCpuBefore, clientCpuAfter),
    ttlSamplesMs: samples.map((s) => Math.round((s.lastMs - s.startMs) * 1000) / 1000),
    expected: outcomes.length * plan.pushes * ctx.connections,
    lost: outcomes.reduce((sum, o) => sum + o.lost, 0),
    warnings: [...warnings, ...recipientWarnings(outcomes, ctx.connections)],
  };
};
