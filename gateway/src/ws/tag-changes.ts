import type { Logger } from 'pino';
import type { StreamHistory, StreamPositions } from '../bus/bus.ts';
import type { StreamInterest } from '../cluster/stream-interest.ts';
import type { Connection } from '../hub/connection.ts';
import type { Hub } from '../hub/hub.ts';
import type { TagChange } from '../hub/tag-change.ts';
import type { TagsFrame } from '../protocol.ts';
import { tagStream } from '../push/streams.ts';
import { WATCH_WAIT_MS, type StreamResume } from './stream-resume.ts';

/** Whose tags change: a user's connections on this node, or one connection by id. */
export type TagOrder = ({ user: string } | { connection: string }) & { change: TagChange };

/** What a tag change did on this node. */
export interface LocalTagResult {
  /** Connections the order names on this node, changed or not. */
  matched: number;
  /** Connections whose tags changed. */
  changed: number;
  /** Connections left unchanged: they would hold more than `MAX_CONNECTION_TAGS` tags. */
  refused: number;
}

export interface TagChanges {
  /**
   * Applies the change to this node's matching connections. Resolves once each changed connection
   * is routed its new streams (the peers know, so a push accepted anywhere from then reaches it)
   * and has been sent its `tags` frame.
   */
  apply(order: TagOrder): Promise<LocalTagResult>;
}

export interface TagChangesOptions {
  hub: Hub;
  /** The welcome of each connection: a `tags` frame never precedes it. */
  streams: Pick<StreamResume, 'welcomed'>;
  history: StreamHistory;
  interest: Pick<StreamInterest, 'change'>;
  logger: Logger;
}

/**
 * The node's side of a tag change: the hub re-indexes the connection at once (the fan-out matches
 * the new tags from then), stream interest watches the new `t:` streams and lets go of the removed
 * ones, and the client hears of it in a `tags` frame with where each new stream stood, like a
 * welcome. A connection's frames go out in the order its changes were made.
 */
export function createTagChanges(options: TagChangesOptions): TagChanges {
  const { hub, streams, history, interest, logger } = options;
  const lastFrame = new WeakMap<Connection, Promise<void>>();

  const announce = async (connection: Connection, tags: string[], added: string[], removed: string[]) => {
    let timer: NodeJS.Timeout | undefined;
    const routed = await Promise.race([
      interest.change(connection, added, removed).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), WATCH_WAIT_MS).unref())),
    ]);
    clearTimeout(timer);
    let positions: StreamPositions | undefined;
    try {
      // Read once the node hears the streams, as for a welcome: every push after them reaches it.
      if (routed) positions = added.length === 0 ? {} : await history.positions(added);
    } catch (error) {
      logger.debug({ connection: connection.id, err: error }, 'stream positions unavailable: tags frame without them');
    }
    if (hub.closeReasonOf(connection) !== undefined) return;
    const frame: TagsFrame = { type: 'tags', tags, added, ...(positions && { streams: positions }), removed };
    connection.ws.send(JSON.stringify(frame));
  };

  const change = (connection: Connection, tagChange: TagChange): Promise<'changed' | 'refused' | undefined> => {
    const delta = hub.changeTags(connection, tagChange);
    if (!delta) return Promise.resolve(undefined);
    if ('refused' in delta) return Promise.resolve('refused');
    // After the welcome, whose streams a client takes as all it holds, and after the frames of earlier changes.
    const previous = lastFrame.get(connection) ?? streams.welcomed(connection);
    const sent = previous.then(() => announce(connection, delta.tags, delta.added.map(tagStream), delta.removed.map(tagStream)));
    lastFrame.set(connection, sent);
    return sent.then(() => 'changed' as const);
  };

  return {
    async apply(order) {
      const connections = 'user' in order ? hub.connectionsOfUser(order.user) : [hub.connection(order.connection)].filter((c) => c !== undefined);
      const outcomes = await Promise.all(connections.map((connection) => change(connection, order.change)));
      const result: LocalTagResult = { matched: connections.length, changed: 0, refused: 0 };
      for (const outcome of outcomes) if (outcome) result[outcome] += 1;
      if (result.matched > 0) logger.debug({ ...result, add: order.change.add.length, remove: order.change.remove.length }, 'tags changed');
      return result;
    },
  };
}
