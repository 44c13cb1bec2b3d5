import type { StateChange, TagsEvent, WsgwClient, WsgwClientEvents, WsgwPush, ResumedEvent } from '../index.ts';

/** Everything a client emitted, in order, with waits on what is still to come. For tests. */
export interface ClientRecorder {
  readonly states: StateChange[];
  readonly pushes: WsgwPush[];
  readonly resumed: ResumedEvent[];
  readonly tags: TagsEvent[];
  readonly errors: Error[];
  /** Resolves with the first state change (past or future) that matches. */
  waitForState(match: (change: StateChange) => boolean, timeoutMs?: number): Promise<StateChange>;
  /** Resolves once `count` state changes of `state` were seen. */
  waitForStateCount(state: StateChange['state'], count: number, timeoutMs?: number): Promise<StateChange[]>;
  waitForPushes(count: number, timeoutMs?: number): Promise<WsgwPush[]>;
  waitForResumed(timeoutMs?: number): Promise<ResumedEvent>;
  /** Resolves with the `count`th tags event. */
  waitForTags(count: number, timeoutMs?: number): Promise<TagsEvent>;
}

export function recordClient(client: WsgwClient): ClientRecorder {
  const log = { states: [] as StateChange[], pushes: [] as WsgwPush[], resumed: [] as ResumedEvent[], tags: [] as TagsEvent[], errors: [] as Error[] };
  const waiters = new Set<() => void>();
  const record = <K extends keyof WsgwClientEvents>(list: Array<WsgwClientEvents[K]>) => (event: WsgwClientEvents[K]) => {
    list.push(event);
    for (const check of [...waiters]) check();
  };
  client.on('state', record<'state'>(log.states));
  client.on('push', record<'push'>(log.pushes));
  client.on('resumed', record<'resumed'>(log.resumed));
  client.on('tags', record<'tags'>(log.tags));
  client.on('error', record<'error'>(log.errors));

  const waitUntil = <T>(what: string, found: () => T | undefined, timeoutMs = 5000) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = found();
        if (value === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; states: ${log.states.map(describe).join(', ')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  return {
    ...log,
    waitForState: (match, timeoutMs) => waitUntil('a state', () => log.states.find(match), timeoutMs),
    waitForStateCount: (state, count, timeoutMs) =>
      waitUntil(`${count} × ${state}`, () => {
        const seen = log.states.filter((change) => change.state === state);
        return seen.length >= count ? seen : undefined;
      }, timeoutMs),
    waitForPushes: (count, timeoutMs) => waitUntil(`${count} pushes`, () => (log.pushes.length >= count ? log.pushes.slice(0, count) : undefined), timeoutMs),
    waitForResumed: (timeoutMs) => waitUntil('resumed', () => log.resumed[0], timeoutMs),
    waitForTags: (count, timeoutMs) => waitUntil(`${count} tags events`, () => log.tags[count - 1], timeoutMs),
  };
}

function describe(change: StateChange): string {
  if (change.state === 'reconnecting' || change.state === 'closed') return `${change.state}(${JSON.stringify(change.reason)})`;
  return change.state;
}
