import {
  CONSOLE_LATENCY_BOUNDS_MS,
  type BufferedConnection,
  type ConsoleSnapshot,
  type PushTailEntry,
  type TagChangeEntry,
} from '@wsgw/gateway/protocol';
import { mergeMostBuffered } from '../connections/most-buffered.ts';
import { buildLatencyHeatmap, type LatencyHeatmap } from '../history/latency-heatmap.ts';
import { createMetricHistory, type HistoryColumns } from '../history/metric-history.ts';
import { createPushTail } from '../history/push-tail.ts';
import { createTagChangeTail } from '../history/tag-change-tail.ts';
import { createFeedSocket, INITIAL_FEED_STATUS, type FeedSocket, type FeedSocketOptions, type FeedStatus } from '../transport/feed-socket.ts';

export interface FeedStoreOptions extends Omit<FeedSocketOptions, 'onSnapshot' | 'onStatus'> {
  /** Seconds of history kept for the charts. Default 300 (five minutes). */
  historySeconds?: number;
  /** Rows kept in the live tail. Default 100. */
  tailSize?: number;
  /** Called each time the feed is lost, e.g. to re-check the token. */
  onDisconnected?(status: FeedStatus): void;
  /** Builds the socket; defaults to createFeedSocket (swap it to drive the store without a network). */
  socketFactory?(options: FeedSocketOptions): FeedSocket;
}

export interface FeedStore {
  /** The newest snapshot, undefined until the first arrives. */
  readonly snapshot: ConsoleSnapshot | undefined;
  readonly status: FeedStatus;
  /** The last `historySeconds` seconds as chart columns. */
  readonly history: HistoryColumns;
  /** Push → ack latency buckets over the history, in 10 s columns. */
  readonly heatmap: LatencyHeatmap;
  /** Pushes seen in the feed, newest first. */
  readonly tail: readonly PushTailEntry[];
  /** Tag changes seen in the feed, newest first. */
  readonly tagChanges: readonly TagChangeEntry[];
  /** Connections with the most unsent bytes across the cluster, most first. */
  readonly mostBuffered: BufferedConnection[];
  /** Folds one snapshot in (the socket calls it for each frame). */
  apply(snapshot: ConsoleSnapshot): void;
  start(): void;
  stop(): void;
}

/**
 * The console's live state, fed by the one snapshot socket. Each snapshot is applied once: the
 * history and the tail take the new second, nothing is rebuilt from earlier snapshots.
 */
export function createFeedStore(options: FeedStoreOptions): FeedStore {
  const metricHistory = createMetricHistory(options.historySeconds ?? 300);
  const pushTail = createPushTail(options.tailSize ?? 100);
  const tagChangeTail = createTagChangeTail();

  let snapshot = $state.raw<ConsoleSnapshot | undefined>(undefined);
  let history = $state.raw<HistoryColumns>(metricHistory.columns());
  let tail = $state.raw<readonly PushTailEntry[]>([]);
  let tagChanges = $state.raw<readonly TagChangeEntry[]>([]);
  let status = $state.raw<FeedStatus>(INITIAL_FEED_STATUS);
  const heatmap = $derived(
    buildLatencyHeatmap(history.times, history.latencyCounts, snapshot?.latency.boundsMs ?? CONSOLE_LATENCY_BOUNDS_MS),
  );
  const mostBuffered = $derived(mergeMostBuffered(snapshot?.nodes ?? []));

  const apply = (next: ConsoleSnapshot) => {
    snapshot = next;
    if (metricHistory.append(next)) history = metricHistory.columns();
    tail = pushTail.apply(next.recentPushes);
    // A gateway that predates tag changes sends none.
    tagChanges = tagChangeTail.apply(next.recentTagChanges ?? []);
  };

  const { historySeconds: _h, tailSize: _t, onDisconnected, socketFactory = createFeedSocket, ...socketOptions } = options;
  const socket = socketFactory({
    ...socketOptions,
    onSnapshot: apply,
    onStatus: (next) => {
      // A retry time marks a lost feed (stop() also ends disconnected, but without one). Only the
      // first failure after a working feed counts: the retries that follow are the same loss.
      const lost = next.state === 'disconnected' && next.retryAt !== undefined && next.failures === 1;
      status = next;
      if (lost) onDisconnected?.(next);
    },
  });

  return {
    get snapshot() {
      return snapshot;
    },
    get status() {
      return status;
    },
    get history() {
      return history;
    },
    get heatmap() {
      return heatmap;
    },
    get tail() {
      return tail;
    },
    get tagChanges() {
      return tagChanges;
    },
    get mostBuffered() {
      return mostBuffered;
    },
    apply,
    start: () => socket.start(),
    stop: () => socket.stop(),
  };
}
