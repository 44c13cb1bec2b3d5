import type { PushBook } from './push-book.ts';
import type { PlannedPush } from './push-sender.ts';
import type { LoadPlan } from './scenarios/load-plan.ts';
import type { PingOptions } from './workers/pinger.ts';

type Pushes = LoadPlan['pushes'];
type PushKind = Pushes['kind'];
type PushesOf<K extends PushKind> = Extract<Pushes, { kind: K }>;

/** What a schedule's last phase may use of the run. */
export interface ScheduleRun {
  readonly plan: LoadPlan;
  readonly book: PushBook;
  /** Ms since the run began. */
  elapsed(): number;
  /** Sends the pushes and records the ones the gateway accepted. */
  send(pushes: PlannedPush[]): Promise<void>;
  /** Tells the workers to stop pinging. */
  quiet(): void;
  /** Samples the timeline now and waits one engine tick. */
  idle(): Promise<void>;
  /** Samples the timeline now. */
  sample(): void;
}

/** When a plan's pushes happen: one schedule per kind of plan, so the engine never asks which kind it runs. */
export interface PushSchedule {
  /** Time after the ramp during which the schedule pushes, in ms (0 when it pushes in rounds afterwards). */
  readonly steadyMs: number;
  /** What the clients ping with, for a plan that pings. */
  readonly ping?: PingOptions;
  /** Connection `index` opened `now` ms into the run. */
  opened(index: number, now: number): void;
  /** The pushes due `now` ms into the run, during ramp and steady phase. */
  due(now: number): PlannedPush[];
  /** What runs after ramp and steady phase, before the drain. */
  finish(run: ScheduleRun): Promise<void>;
}

const nothing = async (): Promise<void> => undefined;

/**
 * Each connection's stream gets a push every `intervalMs`, from `startsAt(index)` (ms into the run)
 * on; the first at a random point of the first interval, so pushes spread evenly over time.
 */
function everyInterval(book: PushBook, intervalMs: number, steadyMs: number, startsAt: (index: number) => number): PushSchedule {
  const due = new Map<number, number>();
  return {
    steadyMs,
    opened: (index, now) => void due.set(index, Math.max(now, startsAt(index)) + Math.random() * intervalMs),
    due(now) {
      const batch: PlannedPush[] = [];
      for (const [index, at] of due) {
        if (at > now) continue;
        batch.push(book.next(book.streamOf(index)));
        due.set(index, at + intervalMs);
      }
      return batch;
    },
    finish: nothing,
  };
}

/** Once every connection is up, each round pushes once to every stream. */
async function fanoutRounds(run: ScheduleRun, messages: number): Promise<void> {
  const streams = new Map(Array.from({ length: run.plan.connections }, (_, i) => run.book.streamOf(i)).map((s) => [s.key, s]));
  for (let round = 0; round < messages; round += 1) {
    await run.send([...streams.values()].map((stream) => run.book.next(stream)));
    run.sample();
  }
}

/** Stops the pings, then gives the last ones their time to be answered. */
async function quietPings(run: ScheduleRun): Promise<void> {
  run.quiet();
  const until = run.elapsed() + run.plan.drainMs;
  while (run.elapsed() < until) await run.idle();
}

const SCHEDULES: { [K in PushKind]: (pushes: PushesOf<K>, book: PushBook) => PushSchedule } = {
  interval: (pushes, book) => everyInterval(book, pushes.intervalMs, pushes.steadyMs, () => 0),
  chat: (pushes, book) => everyInterval(book, pushes.intervalMs, pushes.steadyMs, pushes.startsAt),
  fanout: (pushes) => ({ steadyMs: 0, opened: () => undefined, due: () => [], finish: (run) => fanoutRounds(run, pushes.messages) }),
  ping: (pushes) => ({ steadyMs: pushes.steadyMs, ping: pushes.ping, opened: () => undefined, due: () => [], finish: quietPings }),
};

/** The schedule of a plan's pushes, numbered through `book`. */
export function scheduleFor<K extends PushKind>(kind: K, pushes: PushesOf<K>, book: PushBook): PushSchedule {
  return SCHEDULES[kind](pushes, book);
}
