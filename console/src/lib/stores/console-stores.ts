import type { ConsoleApi } from '../transport/console-api.ts';
import { createClock, type Clock } from './clock.svelte.ts';
import { createFeedStore, type FeedStore } from './feed.svelte.ts';
import { createInspectorStore, type InspectorStore } from './inspector.svelte.ts';
import { createPushInspectorStore, type PushInspectorStore } from './push-inspector.svelte.ts';
import { createRouter, type Router } from './router.svelte.ts';
import type { SessionStore } from './session.svelte.ts';
import { createSlowSelection, type SlowSelection } from './slow-selection.svelte.ts';
import { createTestPushStore, type TestPushStore } from './test-push.svelte.ts';

export interface ConsoleStores {
  feed: FeedStore;
  inspector: InspectorStore;
  pushes: PushInspectorStore;
  testPush: TestPushStore;
  selection: SlowSelection;
  router: Router;
  clock: Clock;
  start(): void;
  stop(): void;
}

export interface ConsoleStoresOptions {
  session: SessionStore;
  token: string;
  api: ConsoleApi;
  /** `ws:`/`wss:` URL of the feed; defaults to `/api/console/feed` on the page's host. */
  feedUrl?: string;
}

/** The page's own feed endpoint: the gateway that served the page. */
export function sameOriginFeedUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/console/feed`;
}

/** The signed-in console's stores, wired in this one place; each view then gets what it reads. */
export function createConsoleStores(options: ConsoleStoresOptions): ConsoleStores {
  const { session, token, api } = options;
  const feed = createFeedStore({
    url: options.feedUrl ?? sameOriginFeedUrl(),
    token,
    // A refused upgrade looks like any network failure to a browser: ask the API whether the token still holds.
    onDisconnected: () => void session.revalidate(),
  });
  const inspector = createInspectorStore({ api });
  const pushes = createPushInspectorStore({ api });
  const testPush = createTestPushStore({ api });
  const selection = createSlowSelection();
  const router = createRouter();
  const clock = createClock();
  const running = [feed, inspector, pushes, testPush, router, clock];
  return {
    feed,
    inspector,
    pushes,
    testPush,
    selection,
    router,
    clock,
    start: () => running.forEach((store) => store.start()),
    stop: () => running.forEach((store) => store.stop()),
  };
}
