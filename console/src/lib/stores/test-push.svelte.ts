import type { ConsolePushResult, PushRequest } from '@wsgw/gateway/protocol';
import { ConsoleApiError, type ConsoleApi } from '../transport/console-api.ts';

export interface TestPushStore {
  readonly sending: boolean;
  /** The answer to the last push sent. */
  readonly result: ConsolePushResult | undefined;
  /** Local epoch ms when that answer arrived. */
  readonly sentAt: number | undefined;
  readonly error: string | undefined;
  /** Sends `request`; its answer (or error) replaces the previous one. */
  send(request: PushRequest): Promise<void>;
  /** Shows a form error in place of a result (invalid JSON, missing target). */
  reject(error: string): void;
  start(): void;
  stop(): void;
}

/** The test push: one push through `POST /api/console/push`, and what the gateway answered. */
export function createTestPushStore(options: { api: ConsoleApi }): TestPushStore {
  let sending = $state(false);
  let result = $state.raw<ConsolePushResult | undefined>(undefined);
  let sentAt = $state<number | undefined>(undefined);
  let error = $state<string | undefined>(undefined);
  let generation = 0;

  return {
    get sending() {
      return sending;
    },
    get result() {
      return result;
    },
    get sentAt() {
      return sentAt;
    },
    get error() {
      return error;
    },
    async send(request) {
      const gen = ++generation;
      sending = true;
      error = undefined;
      try {
        const answer = await options.api.push(request);
        if (gen !== generation) return;
        result = answer;
        sentAt = Date.now();
      } catch (failure) {
        if (gen !== generation) return;
        result = undefined;
        error = failure instanceof ConsoleApiError ? `Push refused (${failure.status || 'no answer'}): ${failure.message}` : String(failure);
      } finally {
        if (gen === generation) sending = false;
      }
    },
    reject(message) {
      generation += 1;
      sending = false;
      result = undefined;
      error = message;
    },
    start() {},
    stop() {
      generation += 1;
      sending = false;
    },
  };
}
