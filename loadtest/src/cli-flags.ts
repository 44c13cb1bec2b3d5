import type { OptionReader } from './options/option-reader.ts';

/** Every flag `wsgw-load` takes (see the header of cli.ts and loadtest/README.md). */
export const CLI_FLAGS = {
  target: { type: 'string' },
  'api-key': { type: 'string' },
  'jwt-secret': { type: 'string' },
  'token-file': { type: 'string' },
  connections: { type: 'string' },
  ramp: { type: 'string' },
  steady: { type: 'string' },
  interval: { type: 'string' },
  users: { type: 'string' },
  'connections-per-user': { type: 'string' },
  messages: { type: 'string' },
  cooldown: { type: 'string' },
  drain: { type: 'string' },
  scale: { type: 'string' },
  workers: { type: 'string' },
  'no-ack': { type: 'boolean' },
  out: { type: 'string' },
  html: { type: 'string' },
  threshold: { type: 'string' },
  'user-prefix': { type: 'string' },
  'progress-interval': { type: 'string' },
  'metrics-port': { type: 'string' },
  port: { type: 'string' },
  rooms: { type: 'string' },
  participants: { type: 'string' },
  'create-participant': { type: 'string' },
  'start-chat': { type: 'string' },
  'send-message': { type: 'string' },
  'ping-min': { type: 'string' },
  'ping-max': { type: 'string' },
  'no-hello': { type: 'boolean' },
  'basic-auth': { type: 'string' },
  help: { type: 'boolean' },
} as const;

export type CliOptions = OptionReader<typeof CLI_FLAGS>;

export const SCENARIOS = ['quick', 'medium', 'stress', 'progressive', 'fanout', 'chat', 'ping', 'serve'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const isScenario = (word: string): word is Scenario => SCENARIOS.some((s) => s === word);
