import type { CliOptions, Scenario } from '../cli-flags.ts';
import { chatPlan, fanoutPlan, pingPlan, PRESETS, steadyPlan, type LoadPlan, type PresetName } from './load-plan.ts';

/** What a scenario's plans are made of: the command line, and the names of the run's users. */
export interface PlanInputs {
  read: CliOptions;
  /** The user of connection `index` (minted, or from the token file). */
  userName(index: number): string;
  /** Prefix of every minted user and room name of the run. */
  prefix: string;
  /** `--scale`: shrinks or grows a preset (connections and every duration) for rehearsals and tests. */
  scale: number;
}

/** A preset, scaled, with the flags overriding it unless `overrides` is false (progressive stages). */
function preset({ read, userName, scale }: PlanInputs, name: PresetName, overrides: boolean): LoadPlan {
  const base = PRESETS[name];
  const connections = Math.max(1, Math.round(base.connections * scale));
  return steadyPlan({
    scenario: name,
    connections: overrides ? read.number('connections', connections, 1) : connections,
    rampS: overrides ? read.number('ramp', base.rampS * scale) : base.rampS * scale,
    steadyS: overrides ? read.number('steady', base.steadyS * scale) : base.steadyS * scale,
    intervalS: overrides ? read.number('interval', base.intervalS * scale, 0.05) : Math.max(0.05, base.intervalS * scale),
    users: userName,
  });
}

/** Scenarios that run plans (every one but `serve`), and the stages each runs, in order. */
export const SCENARIO_PLANS: Record<Exclude<Scenario, 'serve'>, (inputs: PlanInputs) => LoadPlan[]> = {
  quick: (inputs) => [preset(inputs, 'quick', true)],
  medium: (inputs) => [preset(inputs, 'medium', true)],
  stress: (inputs) => [preset(inputs, 'stress', true)],
  progressive: (inputs) => (['quick', 'medium', 'stress'] as const).map((name) => preset(inputs, name, false)),
  fanout: ({ read, userName }) => [
    fanoutPlan({
      users: read.number('users', 256, 1),
      connectionsPerUser: read.number('connections-per-user', 4, 1),
      messages: read.number('messages', 48, 1),
      rampS: read.number('ramp', 5),
      userName,
    }),
  ],
  chat: ({ read, prefix }) => [
    chatPlan({
      rooms: read.number('rooms', 20, 1),
      participants: read.number('participants', 10, 1),
      createParticipantS: read.number('create-participant', 0.05),
      startChatS: read.number('start-chat', 1),
      sendMessageS: read.number('send-message', 2, 0.01),
      steadyS: read.number('steady', 20),
      prefix,
    }),
  ],
  ping: ({ read, userName }) => [
    pingPlan({
      connections: read.number('connections', 100, 1),
      rampS: read.number('ramp', 10),
      steadyS: read.number('steady', 30),
      minS: read.number('ping-min', 1, 0.05),
      maxS: read.number('ping-max', 3, 0.05),
      hello: !read.has('no-hello'),
      users: userName,
    }),
  ],
};
