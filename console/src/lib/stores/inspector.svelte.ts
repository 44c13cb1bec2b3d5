import type { TagChangeRequest, TagChangeResult, UserConnections } from '@wsgw/gateway/protocol';
import { ConsoleApiError, type ConsoleApi } from '../transport/console-api.ts';

export interface InspectorStoreOptions {
  api: ConsoleApi;
  /**
   * After a disconnect, the user is looked up again every `settleMs` (default 250) until the
   * closed connections are gone, at most `settleAttempts` times (default 8): a kicked socket
   * stays listed until its close handshake ends.
   */
  settleMs?: number;
  settleAttempts?: number;
}

export interface InspectorStore {
  /** The user shown, as last looked up. */
  readonly user: string | undefined;
  readonly result: UserConnections | undefined;
  readonly loading: boolean;
  readonly error: string | undefined;
  /** What the last disconnect did, e.g. "Disconnected 2 connections". */
  readonly notice: string | undefined;
  /** Connections being disconnected right now. */
  readonly pending: ReadonlySet<string>;
  lookup(user: string): Promise<void>;
  disconnectConnection(id: string): Promise<void>;
  disconnectUser(): Promise<void>;
  /**
   * Adds or removes tags on one connection (by id) or, without `connection`, on every connection
   * of the user shown; the user is looked up again once the change is in.
   */
  changeTags(change: TagChangeRequest, connection?: string): Promise<void>;
  start(): void;
  /** Drops pending answers and re-lookups. */
  stop(): void;
}

const describe = (error: unknown) =>
  error instanceof ConsoleApiError ? `${error.status === 0 ? 'No answer' : `Error ${error.status}`}: ${error.message}` : String(error);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "Added news, removed old on 2 connections of alice", and what was left out. */
function describeTagChange(change: TagChangeRequest, answer: TagChangeResult, whose: string): string {
  const parts = [];
  if (change.add?.length) parts.push(`added ${change.add.join(', ')}`);
  if (change.remove?.length) parts.push(`removed ${change.remove.join(', ')}`);
  const what = parts.join(', ');
  const refused = answer.refused ? `; ${plural(answer.refused, 'connection')} left unchanged (tag limit)` : '';
  const partial = answer.complete === false ? ' (some nodes did not answer: there may be more)' : '';
  return `${what.charAt(0).toUpperCase()}${what.slice(1)} on ${plural(answer.changed, 'connection')} of ${whose}${refused}${partial}`;
}

/** The user inspector: a user's connections across the cluster, and disconnecting them. */
export function createInspectorStore(options: InspectorStoreOptions): InspectorStore {
  const { api } = options;
  const settleMs = options.settleMs ?? 250;
  const settleAttempts = options.settleAttempts ?? 8;

  let user = $state<string | undefined>(undefined);
  let result = $state.raw<UserConnections | undefined>(undefined);
  let loading = $state(false);
  let error = $state<string | undefined>(undefined);
  let notice = $state<string | undefined>(undefined);
  let pending = $state.raw<ReadonlySet<string>>(new Set());
  // Each lookup takes a number so a slow answer never overwrites a newer one.
  let generation = 0;

  const fetchUser = async (name: string, gen: number): Promise<UserConnections | undefined> => {
    try {
      const answer = await api.userConnections(name);
      if (gen !== generation) return undefined;
      result = answer;
      error = undefined;
      return answer;
    } catch (failure) {
      if (gen === generation) error = describe(failure);
      return undefined;
    }
  };

  /** Looks the user up again until none of `gone` is listed (or the attempts run out). */
  const settle = async (name: string, gone: ReadonlySet<string>) => {
    const gen = generation;
    for (let i = 0; i < settleAttempts; i += 1) {
      const answer = await fetchUser(name, gen);
      if (gen !== generation || !answer || !answer.connections.some((c) => gone.has(c.id))) return;
      await new Promise((resolve) => setTimeout(resolve, settleMs));
    }
  };

  const withPending = async (ids: string[], work: () => Promise<void>) => {
    pending = new Set([...pending, ...ids]);
    try {
      await work();
    } finally {
      const rest = new Set(pending);
      for (const id of ids) rest.delete(id);
      pending = rest;
    }
  };

  return {
    get user() {
      return user;
    },
    get result() {
      return result;
    },
    get loading() {
      return loading;
    },
    get error() {
      return error;
    },
    get notice() {
      return notice;
    },
    get pending() {
      return pending;
    },
    async lookup(name) {
      const trimmed = name.trim();
      if (!trimmed) return;
      const gen = ++generation;
      user = trimmed;
      result = undefined;
      notice = undefined;
      loading = true;
      await fetchUser(trimmed, gen);
      if (gen === generation) loading = false;
    },
    async disconnectConnection(id) {
      const name = user;
      if (!name) return;
      await withPending([id], async () => {
        try {
          const { disconnected } = await api.disconnectConnection(id);
          notice = `Disconnected ${plural(disconnected, 'connection')}`;
        } catch (failure) {
          // Nothing was closed: keep the error on screen rather than a fresh lookup clearing it.
          error = describe(failure);
          return;
        }
        await settle(name, new Set([id]));
      });
    },
    async disconnectUser() {
      const name = user;
      if (!name) return;
      const ids = result?.connections.map((c) => c.id) ?? [];
      await withPending(ids, async () => {
        try {
          const answer = await api.disconnectUser(name);
          const partial = answer.complete === false ? ' (some nodes did not answer: there may be more)' : '';
          notice = `Disconnected ${plural(answer.disconnected, 'connection')} of ${name}${partial}`;
        } catch (failure) {
          error = describe(failure);
          return;
        }
        await settle(name, new Set(ids));
      });
    },
    async changeTags(change, connection) {
      const name = user;
      if (!name) return;
      const ids = connection ? [connection] : (result?.connections.map((c) => c.id) ?? []);
      await withPending(ids, async () => {
        try {
          const answer = connection ? await api.changeConnectionTags(connection, change) : await api.changeUserTags(name, change);
          notice = describeTagChange(change, answer, name);
          error = undefined;
        } catch (failure) {
          error = describe(failure);
          return;
        }
        // The gateway answered once every changed connection holds its new tags: one lookup shows them.
        await fetchUser(name, generation);
      });
    },
    start() {},
    stop() {
      generation += 1;
      loading = false;
    },
  };
}
