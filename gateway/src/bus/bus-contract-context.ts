import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { NormalizedTarget, PushEnvelope } from '../push/push-envelope.ts';
import type { Bus, BusMessage, HistoryLimits } from './bus.ts';

/**
 * Makes a bus on a medium shared by every bus made with the same prefix; `history` applies to the
 * prefix's streams (the first bus made on a prefix may set it for all).
 */
export type BusFactory = (prefix: string, history?: HistoryLimits, nodeId?: string) => Bus;

/** The streams the cases publish to, which `collect` watches. */
const CASE_STREAMS = ['u:alice', 'u:bob', 't:news', 'all'];

/** The history limits of the contract cases that do not set their own. */
export const CONTRACT_HISTORY: HistoryLimits = { size: 100, ttlMs: 60_000, maxBytes: 16 * 1024 * 1024 };

/** A private server the reconnect case can stop and start, and a factory of buses on it. */
export interface RestartableServer {
  makeBus: BusFactory;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Ends the buses' subscriptions while their connections stay, and keeps new ones from holding. */
  cutSubscriptions(): Promise<void>;
  /** Lets subscriptions hold again. */
  restoreSubscriptions(): Promise<void>;
}

export const anyBody = (body: unknown) => ({ ok: true as const, value: body });

export const envelope = (id: string, payload = '"x"', to: NormalizedTarget = { users: ['alice'], tags: [], all: false }): PushEnvelope => ({
  id,
  ts: Date.now(),
  acceptedAt: Date.now(),
  publishedAt: Date.now(),
  to,
  payload,
});

/** How long a case waits for what a bus owes it, ms (a reconnection gets longer). */
export const patience = { timeout: 5000, interval: 10 };
export const ids = (messages: BusMessage[]) => messages.map((message) => message.push.id);

/** What every case shares: the buses it made (closed after it), a connected pair, a collector. */
export interface ContractContext {
  name: string;
  makeBus: BusFactory;
  /** Buses to close once the case is over. */
  made: Bus[];
  /** Two buses on one fresh prefix, both connected. */
  pair(history?: HistoryLimits): Promise<{ a: Bus; b: Bus }>;
  /** What `bus` hears from the moment the broker has confirmed the subscription, watching the cases' streams. */
  collect(bus: Bus): Promise<BusMessage[]>;
}

export function createContractContext(name: string, makeBus: BusFactory): ContractContext {
  const made: Bus[] = [];
  return {
    name,
    makeBus,
    made,
    async pair(history = CONTRACT_HISTORY) {
      const prefix = `wsgw-test-${randomUUID()}`;
      const [a, b] = [makeBus(prefix, history, 'node-a'), makeBus(prefix, history, 'node-b')];
      made.push(a, b);
      await expect.poll(() => a.health().connected && b.health().connected, { ...patience, message: `${name} to connect` }).toBe(true);
      return { a, b };
    },
    async collect(bus) {
      const received: BusMessage[] = [];
      await bus.subscribe((message) => received.push(message)).ready;
      await Promise.all(CASE_STREAMS.map((stream) => bus.watch(stream)));
      return received;
    },
  };
}

