import type { Bus, SignalBodyParser } from '../bus/bus.ts';
import type { Hub } from '../hub/hub.ts';
import { parseTagChange } from '../hub/tag-change.ts';
import type { TaggedConnection } from '../protocol.ts';
import { isBoundedString, isCount, isRecord } from '../validation.ts';
import type { LocalTagResult, TagChanges, TagOrder } from '../ws/tag-changes.ts';
import { peersHolding } from './cluster-control.ts';
import { createClusterQuery } from './cluster-query.ts';
import type { Holders } from './interest-directory.ts';

/** A tag change across the cluster. */
export interface ClusterTagResult extends LocalTagResult {
  /** False when a live peer did not answer within the wait: more connections may have changed. */
  complete: boolean;
}

/** Where a page of a tag's connections starts: after the connection id `after` (none: the first page). */
export interface TagPageRequest {
  tag: string;
  after?: string;
  limit: number;
}

/** One page of a tag's connections across the cluster, ordered by connection id. */
export interface ClusterTagPage {
  total: number;
  connections: TaggedConnection[];
  /** The last id of the page when more follow it. */
  last?: string;
  complete: boolean;
}

export interface ClusterTags {
  /** Applies the change wherever the order's connections are; `waitMs` bounds the peers' answers. */
  change(order: TagOrder, peers: string[], waitMs: number): Promise<ClusterTagResult>;
  /** One page of the tag's connections, from this node and the peers holding its stream. */
  page(request: TagPageRequest, holders: Holders, waitMs: number): Promise<ClusterTagPage>;
  stop(): void;
}

/** A node's part of a page: its connections after the cursor (at most `limit`), and its counts. */
interface NodePage {
  total: number;
  /** Its connections after the cursor, the page's or not. */
  remaining: number;
  connections: Array<Omit<TaggedConnection, 'node'>>;
}

/** Longest user id, connection id or tag in a question or an answer, characters. */
const MAX_TEXT = 1024;
/** A page is at most this long (`TAG_PAGE_MAX_LIMIT`); this bounds a forged answer. */
const MAX_PAGE = 1000;

const parseOrder: SignalBodyParser<TagOrder> = (body) => {
  if (!isRecord(body)) return { ok: false, error: 'a tag order must be an object' };
  const change = parseTagChange(body.change);
  if (!change.ok) return change;
  if (isBoundedString(body.user, MAX_TEXT)) return { ok: true, value: { user: body.user, change: change.value } };
  if (isBoundedString(body.connection, MAX_TEXT)) return { ok: true, value: { connection: body.connection, change: change.value } };
  return { ok: false, error: 'a tag order needs a user or a connection' };
};

const parseResult: SignalBodyParser<LocalTagResult> = (body) =>
  isRecord(body) && isCount(body.matched) && isCount(body.changed) && isCount(body.refused)
    ? { ok: true, value: { matched: body.matched, changed: body.changed, refused: body.refused } }
    : { ok: false, error: 'a tag change answer must hold counts' };

const parsePageRequest: SignalBodyParser<TagPageRequest> = (body) => {
  if (!isRecord(body) || !isBoundedString(body.tag, MAX_TEXT) || !isCount(body.limit) || body.limit > MAX_PAGE) return { ok: false, error: 'a tag lookup needs a tag and a limit' };
  if (body.after !== undefined && !isBoundedString(body.after, MAX_TEXT)) return { ok: false, error: 'a tag lookup cursor must be a connection id' };
  return { ok: true, value: { tag: body.tag, limit: body.limit, ...(body.after !== undefined && { after: body.after }) } };
};

function taggedConnection(value: unknown): Omit<TaggedConnection, 'node'> | undefined {
  if (!isRecord(value) || !isBoundedString(value.id, MAX_TEXT) || !isBoundedString(value.user, MAX_TEXT)) return undefined;
  if (typeof value.connectedAt !== 'number' || !Number.isFinite(value.connectedAt)) return undefined;
  return { id: value.id, user: value.user, connectedAt: value.connectedAt };
}

const parseNodePage: SignalBodyParser<NodePage> = (body) => {
  const invalid = { ok: false as const, error: 'a tag lookup answer must be a page of connections' };
  if (!isRecord(body) || !isCount(body.total) || !isCount(body.remaining) || !Array.isArray(body.connections) || body.connections.length > MAX_PAGE) return invalid;
  const connections: NodePage['connections'] = [];
  for (const entry of body.connections) {
    const connection = taggedConnection(entry);
    if (!connection) return invalid;
    connections.push(connection);
  }
  return { ok: true, value: { total: body.total, remaining: body.remaining, connections } };
};

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** This node's part of a page of the tag's connections. */
function localPage(hub: Hub, { tag, after, limit }: TagPageRequest): NodePage {
  const all = hub.connectionsTagged(tag);
  const following = (after === undefined ? all : all.filter((connection) => connection.id > after)).sort(byId);
  const connections = following.slice(0, limit).map(({ id, user, connectedAt }) => ({ id, user, connectedAt }));
  return { total: all.length, remaining: following.length, connections };
}

/** Tag changes and tag lookups for the whole cluster, over the bus's cluster queries. */
export function createClusterTags(nodeId: string, bus: Bus, hub: Hub, tags: TagChanges, settled: () => boolean, holders: (streams: readonly string[]) => Holders): ClusterTags {
  const changes = createClusterQuery({ nodeId, bus, topic: 'tags.change', answer: (order) => tags.apply(order), parseQuestion: parseOrder, parseAnswer: parseResult, settled });
  const lookups = createClusterQuery({ nodeId, bus, topic: 'tags.lookup', answer: (request) => localPage(hub, request), parseQuestion: parsePageRequest, parseAnswer: parseNodePage, settled });
  return {
    async change(order, peers, waitMs) {
      // A connection id lives on one node: once found here, nobody else needs asking.
      if ('connection' in order && hub.connection(order.connection)) return { ...(await tags.apply(order)), complete: true };
      // A user's connections are only on the nodes holding the user's stream; the peers change
      // theirs while this node changes its own.
      const asked = peersHolding(order, peers, holders);
      const [result, { answers, complete }] = await Promise.all([tags.apply(order), changes.ask(order, asked.peers, waitMs)]);
      for (const { answer } of answers) {
        result.matched += answer.matched;
        result.changed += answer.changed;
        result.refused += answer.refused;
      }
      return { ...result, complete: complete && asked.certain };
    },
    async page(request, tagHolders, waitMs) {
      const own = localPage(hub, request);
      const { answers, complete } = await lookups.ask(request, tagHolders.peers, waitMs);
      let total = own.total;
      let remaining = own.remaining;
      const connections: TaggedConnection[] = own.connections.map((connection) => ({ ...connection, node: nodeId }));
      for (const { node, answer } of answers) {
        total += answer.total;
        remaining += answer.remaining;
        connections.push(...answer.connections.map((connection) => ({ ...connection, node })));
      }
      const page = connections.sort(byId).slice(0, request.limit);
      const more = remaining > page.length && page.length > 0;
      return { total, connections: page, ...(more && { last: page[page.length - 1]!.id }), complete: complete && tagHolders.certain };
    },
    stop() {
      changes.stop();
      lookups.stop();
    },
  };
}

