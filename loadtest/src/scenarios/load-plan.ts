import type { PushTarget } from '@wsgw/gateway/protocol';
import type { PingOptions } from '../workers/pinger.ts';

/** Where a connection's pushes come from: a sequence key and the push target that reaches it. */
export interface Stream {
  key: string;
  to: PushTarget;
  /** Token tags the connection needs to be reached (chat rooms). */
  tags?: string[];
}

/** By default a connection is reached through its user. */
export const userStream = (user: string): Stream => ({ key: user, to: { users: [user] } });

/** What a run does, whatever scenario produced it. Durations in ms. */
export interface LoadPlan {
  scenario: string;
  connections: number;
  /** The user a connection speaks for (a user may hold several connections). */
  userOf(index: number): string;
  /** The stream a connection receives; its user's unless the scenario says otherwise. */
  streamOf?(index: number): Stream;
  /** Connections are opened evenly over this time. */
  rampMs: number;
  /** `interval`: each user gets a push every `intervalMs` from its connection on, until ramp + steady end.
   *  `fanout`: once every connection is up, `messages` rounds each push once to every user. */
  pushes:
    | { kind: 'interval'; intervalMs: number; steadyMs: number }
    | { kind: 'fanout'; messages: number }
    | { kind: 'ping'; steadyMs: number; ping: PingOptions }
    /** Each connection "sends" into its stream every `intervalMs` from `startsAt(index)` on (ms since the run began). */
    | { kind: 'chat'; intervalMs: number; steadyMs: number; startsAt(index: number): number };
  /** How long to wait for in-flight deliveries after the last push. */
  drainMs: number;
  parameters: Record<string, string | number | boolean>;
}

export interface SteadyOptions {
  scenario: string;
  connections: number;
  rampS: number;
  steadyS: number;
  intervalS: number;
  users: (index: number) => string;
}

/** quick / medium / stress: one user per connection, a push per user every interval. */
export function steadyPlan(options: SteadyOptions): LoadPlan {
  return {
    scenario: options.scenario,
    connections: options.connections,
    userOf: options.users,
    rampMs: options.rampS * 1000,
    pushes: { kind: 'interval', intervalMs: options.intervalS * 1000, steadyMs: options.steadyS * 1000 },
    drainMs: 5000,
    parameters: { connections: options.connections, rampS: options.rampS, steadyS: options.steadyS, intervalS: options.intervalS },
  };
}

export interface FanoutOptions {
  users: number;
  connectionsPerUser: number;
  messages: number;
  rampS: number;
  userName: (index: number) => string;
}

/** U users × C connections each; M pushes to every user through the push API. */
export function fanoutPlan(options: FanoutOptions): LoadPlan {
  return {
    scenario: 'fanout',
    connections: options.users * options.connectionsPerUser,
    userOf: (index) => options.userName(index % options.users),
    rampMs: options.rampS * 1000,
    pushes: { kind: 'fanout', messages: options.messages },
    drainMs: 10_000,
    parameters: { users: options.users, connectionsPerUser: options.connectionsPerUser, messages: options.messages, deliveries: options.users * options.connectionsPerUser * options.messages },
  };
}

export interface PingPlanOptions {
  connections: number;
  rampS: number;
  steadyS: number;
  minS: number;
  maxS: number;
  hello: boolean;
  users: (index: number) => string;
}

/** Every client pings (and says hello) every 1–3 s; every answer is checked and pongs are timed. */
export function pingPlan(options: PingPlanOptions): LoadPlan {
  return {
    scenario: 'ping',
    connections: options.connections,
    userOf: options.users,
    rampMs: options.rampS * 1000,
    pushes: { kind: 'ping', steadyMs: options.steadyS * 1000, ping: { minMs: options.minS * 1000, maxMs: options.maxS * 1000, hello: options.hello } },
    drainMs: 2000,
    parameters: { connections: options.connections, rampS: options.rampS, steadyS: options.steadyS, everyS: `${options.minS}-${options.maxS}`, hello: options.hello },
  };
}

export interface ChatOptions {
  rooms: number;
  /** Connections per room, the organizer included. */
  participants: number;
  /** One connection joins every this many seconds (organizers of every room first). */
  createParticipantS: number;
  /** Room r starts chatting r × this after the run began. */
  startChatS: number;
  /** Each member of a chatting room sends a message this often. */
  sendMessageS: number;
  steadyS: number;
  prefix: string;
}

/**
 * Chat rooms over tags: each member holds a token tagged with its room; the load tester, standing
 * in for the chat backend, relays each member's message with a push to the room's tag. Offered
 * load climbs as members join and rooms start, so the delivered rate shows where it plateaus.
 */
export function chatPlan(options: ChatOptions): LoadPlan {
  const connections = options.rooms * options.participants;
  const roomOf = (index: number) => index % options.rooms;
  const tag = (room: number) => `${options.prefix}-room-${room}`;
  return {
    scenario: 'chat',
    connections,
    userOf: (index) => `${options.prefix}-r${roomOf(index)}-p${Math.floor(index / options.rooms)}`,
    streamOf: (index) => ({ key: tag(roomOf(index)), to: { tags: [tag(roomOf(index))] }, tags: [tag(roomOf(index))] }),
    rampMs: connections * options.createParticipantS * 1000,
    pushes: { kind: 'chat', intervalMs: options.sendMessageS * 1000, steadyMs: options.steadyS * 1000, startsAt: (index) => roomOf(index) * options.startChatS * 1000 },
    drainMs: 5000,
    parameters: {
      rooms: options.rooms,
      participants: options.participants,
      createParticipantS: options.createParticipantS,
      startChatS: options.startChatS,
      sendMessageS: options.sendMessageS,
      steadyS: options.steadyS,
    },
  };
}

/** The documented presets (every value can be overridden by a flag). */
export const PRESETS = {
  quick: { connections: 100, rampS: 10, steadyS: 30, intervalS: 5 },
  medium: { connections: 1000, rampS: 30, steadyS: 120, intervalS: 10 },
  stress: { connections: 5000, rampS: 60, steadyS: 300, intervalS: 15 },
} as const;

export type PresetName = keyof typeof PRESETS;
