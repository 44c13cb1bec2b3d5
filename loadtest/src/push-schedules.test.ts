import { describe, expect, it } from 'vitest';
import { createPushBook } from './push-book.ts';
import type { PlannedPush } from './push-sender.ts';
import { scheduleFor, type ScheduleRun } from './push-schedules.ts';
import { chatPlan, fanoutPlan, pingPlan, steadyPlan, type LoadPlan } from './scenarios/load-plan.ts';

const users = (i: number) => `u${i}`;

const scheduleOf = (plan: LoadPlan) => {
  const book = createPushBook(plan);
  return { book, schedule: scheduleFor(plan.pushes.kind, plan.pushes, book) };
};

/** A run that only records what the schedule sends and asks for. */
const recordingRun = (plan: LoadPlan, book: ReturnType<typeof createPushBook>) => {
  const sent: PlannedPush[][] = [];
  const asked: string[] = [];
  let now = 0;
  const run: ScheduleRun = {
    plan,
    book,
    elapsed: () => now,
    send: async (pushes) => void sent.push(pushes),
    quiet: () => void asked.push('quiet'),
    idle: async () => {
      asked.push('idle');
      now += 100;
    },
    sample: () => void asked.push('sample'),
  };
  return { run, sent, asked };
};

describe('push schedules', () => {
  it('interval: a push per connection per interval, the first within the first interval after it opened', () => {
    const { schedule } = scheduleOf(steadyPlan({ scenario: 'quick', connections: 2, rampS: 0, steadyS: 10, intervalS: 1, users }));
    expect(schedule.steadyMs).toBe(10_000);
    schedule.opened(0, 0);
    schedule.opened(1, 500);
    // Polled every 100 ms: connection i has had exactly k pushes k intervals after it opened.
    const seqs = new Map<string, number[]>();
    const pollUntil = (end: number, from: number) => {
      for (let now = from; now <= end; now += 100) for (const p of schedule.due(now)) seqs.set(p.stream, [...(seqs.get(p.stream) ?? []), p.seq]);
    };
    pollUntil(1000, 0);
    expect(seqs.get('u0')).toEqual([1]);
    pollUntil(3000, 1100);
    expect(seqs.get('u0')).toEqual([1, 2, 3]);
    pollUntil(3500, 3100);
    expect(seqs.get('u1')).toEqual([1, 2, 3]);
  });

  it('chat: a room stays quiet until it starts, whenever its members joined', () => {
    const plan = chatPlan({ rooms: 2, participants: 1, createParticipantS: 0, startChatS: 5, sendMessageS: 1, steadyS: 10, prefix: 'p' });
    const { schedule } = scheduleOf(plan);
    schedule.opened(0, 0);
    schedule.opened(1, 0);
    expect(schedule.due(4999).map((p) => p.stream)).toEqual(['p-room-0']);
    expect(schedule.due(6000).map((p) => p.stream).sort()).toEqual(['p-room-0', 'p-room-1']);
  });

  it('fanout: pushes nothing on the ramp, then each round once to every user', async () => {
    const plan = fanoutPlan({ users: 3, connectionsPerUser: 2, messages: 4, rampS: 1, userName: users });
    const { book, schedule } = scheduleOf(plan);
    schedule.opened(0, 0);
    expect([schedule.steadyMs, schedule.due(10_000)]).toEqual([0, []]);
    const { run, sent } = recordingRun(plan, book);
    await schedule.finish(run);
    expect(sent.map((round) => round.map((p) => `${p.stream}#${p.seq}`))).toEqual(
      [1, 2, 3, 4].map((seq) => ['u0', 'u1', 'u2'].map((user) => `${user}#${seq}`)),
    );
  });

  it('ping: hands the workers its ping options, then quiets them and waits out the drain', async () => {
    const plan = pingPlan({ connections: 1, rampS: 0, steadyS: 3, minS: 1, maxS: 2, hello: true, users });
    const { book, schedule } = scheduleOf(plan);
    expect([schedule.steadyMs, schedule.ping]).toEqual([3000, { minMs: 1000, maxMs: 2000, hello: true }]);
    const { run, asked } = recordingRun(plan, book);
    await schedule.finish(run);
    expect(asked).toEqual(['quiet', ...Array.from({ length: plan.drainMs / 100 }, () => 'idle')]);
  });
});
