import type { PushInspection, UserPushes } from '@wsgw/gateway/protocol';
import { samePushQuery, type PushQuery } from '../routing/push-query.ts';
import { ConsoleApiError, type ConsoleApi } from '../transport/console-api.ts';

export interface PushInspectorStoreOptions {
  api: ConsoleApi;
  /** Local clock, epoch ms; `Date.now` by default. */
  now?: () => number;
}

export interface PushInspectorStore {
  /** What is shown, as last opened. */
  readonly query: PushQuery | undefined;
  /** The push, when the query is a push id and a node remembers it. */
  readonly inspection: PushInspection | undefined;
  /** The user's recent pushes, when the query is a user. */
  readonly userPushes: UserPushes | undefined;
  readonly loading: boolean;
  /** True when no node has a record of the push (404): too old, never accepted, or a typo. */
  readonly notFound: boolean;
  /** With `notFound`: some node did not answer in time, so it may hold the record after all. */
  readonly notFoundIncomplete: boolean;
  readonly error: string | undefined;
  /** Local epoch ms of the answer shown. */
  readonly answeredAt: number | undefined;
  /**
   * Asks the cluster about `query`. The answer of the same query stays shown while the new one
   * loads (acks keep arriving, so opening a push again refreshes it); another query's is cleared.
   */
  open(query: PushQuery): Promise<void>;
  /** Asks again about the query shown. */
  refresh(): Promise<void>;
  start(): void;
  /** Drops pending answers. */
  stop(): void;
}

/** A refusal whose body says some node did not answer (`complete: false`). */
const answeredIncomplete = (error: unknown): boolean => {
  const body = error instanceof ConsoleApiError ? error.body : undefined;
  return typeof body === 'object' && body !== null && 'complete' in body && body.complete === false;
};

const describe = (error: unknown) =>
  error instanceof ConsoleApiError ? `${error.status === 0 ? 'No answer' : `Error ${error.status}`}: ${error.message}` : String(error);

/** The push inspector: one push's record across the cluster, or a user's recent pushes. */
export function createPushInspectorStore(options: PushInspectorStoreOptions): PushInspectorStore {
  const { api } = options;
  const now = options.now ?? Date.now;
  let query = $state.raw<PushQuery | undefined>(undefined);
  let inspection = $state.raw<PushInspection | undefined>(undefined);
  let userPushes = $state.raw<UserPushes | undefined>(undefined);
  let loading = $state(false);
  let notFound = $state(false);
  let notFoundIncomplete = $state(false);
  let error = $state<string | undefined>(undefined);
  let answeredAt = $state<number | undefined>(undefined);
  // Each request takes a number so a slow answer never overwrites a newer one.
  let generation = 0;

  /** Applies an answer unless a newer request was made since. */
  const settle = (gen: number, apply: () => void) => {
    if (gen !== generation) return;
    apply();
    answeredAt = now();
    loading = false;
  };

  const load = async (next: PushQuery, gen: number) => {
    try {
      if (next.kind === 'push') {
        const answer = await api.pushInspection(next.id);
        settle(gen, () => {
          inspection = answer;
          notFound = false;
          notFoundIncomplete = false;
          error = undefined;
        });
      } else {
        const answer = await api.userPushes(next.user);
        settle(gen, () => {
          userPushes = answer;
          error = undefined;
        });
      }
    } catch (failure) {
      settle(gen, () => {
        // A 404 is an answer (no node remembers the push), not a failure: the view says so in words.
        notFound = next.kind === 'push' && failure instanceof ConsoleApiError && failure.status === 404;
        notFoundIncomplete = notFound && answeredIncomplete(failure);
        if (notFound) inspection = undefined;
        error = notFound ? undefined : describe(failure);
      });
    }
  };

  const open = async (next: PushQuery) => {
    const gen = ++generation;
    if (!samePushQuery(next, query)) {
      inspection = undefined;
      userPushes = undefined;
      notFound = false;
      notFoundIncomplete = false;
      error = undefined;
      answeredAt = undefined;
    }
    query = next;
    loading = true;
    await load(next, gen);
  };

  return {
    get query() {
      return query;
    },
    get inspection() {
      return inspection;
    },
    get userPushes() {
      return userPushes;
    },
    get loading() {
      return loading;
    },
    get notFound() {
      return notFound;
    },
    get notFoundIncomplete() {
      return notFoundIncomplete;
    },
    get error() {
      return error;
    },
    get answeredAt() {
      return answeredAt;
    },
    open,
    refresh: async () => {
      if (query) await open(query);
    },
    start() {},
    stop() {
      generation += 1;
      loading = false;
    },
  };
}
