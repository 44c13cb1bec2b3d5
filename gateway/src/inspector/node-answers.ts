import type { SignalBodyParser } from '../bus/bus.ts';
import { DROP_REASONS, type DropReason, type PushConnectionRecord, type PushLatencySummary, type PushNodeRecord, type UserPushRecord } from '../protocol.ts';
import type { NormalizedTarget } from '../push/push-envelope.ts';
import { validateTarget } from '../push/push-validation.ts';
import { fail, isBoundedString, isCount, isRecord, type Validation } from '../validation.ts';

/**
 * What one node knows of a push (its answer to a peer's `GET /api/pushes/:id`): the push itself,
 * whether it accepted it, and its fan-out there.
 */
export interface NodeInspection {
  /** This node's id when it accepted the push. */
  acceptedBy?: string;
  acceptedAt: number;
  publishedAt: number;
  to: NormalizedTarget;
  traceId?: string;
  node?: PushNodeRecord;
}

/** Most connections a peer may list for one push (`WSGW_PUSH_RECORD_CONNECTIONS` is capped at it). */
export const MAX_RECORDED_CONNECTIONS = 1000;
/** Most pushes `GET /api/users/:user/pushes` returns. */
export const MAX_USER_PUSHES = 100;
/** Connections of one user listed per push and node in a peer's answer: the per-user limit bounds them in practice. */
const MAX_USER_CONNECTIONS = 1000;
/** Longest id, user, node or trace id in a peer's answer, characters. */
const MAX_TEXT = 1024;

export const parsePushQuestion: SignalBodyParser<{ id: string }> = (body) =>
  isRecord(body) && isBoundedString(body.id, MAX_TEXT) ? { ok: true, value: { id: body.id } } : fail('a push inspection needs an id');

export const parseUserQuestion: SignalBodyParser<{ user: string; limit: number }> = (body) => {
  if (!isRecord(body) || !isBoundedString(body.user, MAX_TEXT)) return fail('a user inspection needs a user');
  if (!isCount(body.limit) || body.limit < 1 || body.limit > MAX_USER_PUSHES) return fail(`a user inspection needs a limit of 1 to ${MAX_USER_PUSHES}`);
  return { ok: true, value: { user: body.user, limit: body.limit } };
};

/** A peer's answer: what it knows of the push, or null when it knows nothing. */
export const parsePushAnswer: SignalBodyParser<NodeInspection | null> = (body) => {
  if (body === null) return { ok: true, value: null };
  if (!isRecord(body)) return fail('a push inspection answer must be an object or null');
  const { acceptedBy, acceptedAt, publishedAt, traceId } = body;
  if (acceptedBy !== undefined && !isBoundedString(acceptedBy, MAX_TEXT)) return fail('"acceptedBy" must be a node id');
  if (!isInstant(acceptedAt) || !isInstant(publishedAt)) return fail('a push inspection answer needs acceptedAt and publishedAt');
  if (traceId !== undefined && !isBoundedString(traceId, MAX_TEXT)) return fail('"traceId" must be a string');
  const to = validateTarget(body.to);
  if (!to.ok) return to;
  const node = body.node === undefined ? undefined : nodeRecord(body.node);
  if (node && !node.ok) return node;
  return {
    ok: true,
    value: { ...(acceptedBy !== undefined && { acceptedBy }), acceptedAt, publishedAt, to: to.value, ...(traceId !== undefined && { traceId }), ...(node && { node: node.value }) },
  };
};

/** A peer's answer to a user's pushes: at most the limit asked, each with the user's connections there. */
export const parseUserAnswer: SignalBodyParser<UserPushRecord[]> = (body) => {
  if (!Array.isArray(body) || body.length > MAX_USER_PUSHES) return fail(`a user inspection answer must be a list of at most ${MAX_USER_PUSHES} pushes`);
  const pushes: UserPushRecord[] = [];
  for (const entry of body) {
    if (!isRecord(entry) || !isBoundedString(entry.id, MAX_TEXT) || !isInstant(entry.acceptedAt)) return fail('a user push needs an id and acceptedAt');
    if (entry.traceId !== undefined && !isBoundedString(entry.traceId, MAX_TEXT)) return fail('"traceId" must be a string');
    const to = pushTarget(entry.to);
    if (!to.ok) return to;
    const connections = connectionList(entry.connections, MAX_USER_CONNECTIONS);
    if (!connections.ok) return connections;
    pushes.push({ id: entry.id, acceptedAt: entry.acceptedAt, to: to.value, ...(entry.traceId !== undefined && { traceId: entry.traceId as string }), connections: connections.value });
  }
  return { ok: true, value: pushes };
};

/** A public target (`PushTarget`), as it is checked when a push is accepted. */
function pushTarget(value: unknown): Validation<UserPushRecord['to']> {
  const to = validateTarget(value);
  if (!to.ok) return to;
  const { users, tags, all } = to.value;
  return { ok: true, value: { ...(users.length > 0 && { users }), ...(tags.length > 0 && { tags }), ...(all && { all }) } };
}

function nodeRecord(value: unknown): Validation<PushNodeRecord> {
  if (!isRecord(value) || !isBoundedString(value.node, MAX_TEXT)) return fail('a node record needs its node');
  const { node, fanoutAt, fanoutMs, matched, written, acked } = value;
  if (!isInstant(fanoutAt) || !isDuration(fanoutMs)) return fail('a node record needs fanoutAt and fanoutMs');
  if (!isCount(matched) || !isCount(written) || !isCount(acked)) return fail('a node record needs matched, written and acked counts');
  if (!isRecord(value.dropped)) return fail('a node record needs its drops by reason');
  const dropped = {} as Record<DropReason, number>;
  for (const reason of DROP_REASONS) {
    const count = value.dropped[reason];
    if (!isCount(count)) return fail(`a node record needs a count of drops for ${reason}`);
    dropped[reason] = count;
  }
  const connections = connectionList(value.connections, MAX_RECORDED_CONNECTIONS);
  if (!connections.ok) return connections;
  if (value.truncated !== undefined && value.truncated !== true) return fail('"truncated" must be true when present');
  const writeLatency = value.writeLatency === undefined ? undefined : latency(value.writeLatency);
  const ackLatency = value.ackLatency === undefined ? undefined : latency(value.ackLatency);
  if (writeLatency === null || ackLatency === null) return fail('a latency summary needs count, p50, p95, p99 and max');
  return {
    ok: true,
    value: {
      node,
      fanoutAt,
      fanoutMs,
      matched,
      written,
      dropped,
      acked,
      connections: connections.value,
      ...(value.truncated === true && { truncated: true as const }),
      ...(writeLatency && { writeLatency }),
      ...(ackLatency && { ackLatency }),
    },
  };
}

function connectionList(value: unknown, max: number): Validation<PushConnectionRecord[]> {
  if (!Array.isArray(value) || value.length > max) return fail(`connections must be a list of at most ${max}`);
  const connections: PushConnectionRecord[] = [];
  for (const entry of value) {
    if (!isRecord(entry)) return fail('a connection record must be an object');
    const { connection, user, node, writtenAt, ackedAt, dropped } = entry;
    if (!isBoundedString(connection, MAX_TEXT) || !isBoundedString(user, MAX_TEXT) || !isBoundedString(node, MAX_TEXT)) return fail('a connection record needs connection, user and node');
    if ((writtenAt !== undefined && !isInstant(writtenAt)) || (ackedAt !== undefined && !isInstant(ackedAt))) return fail('writtenAt and ackedAt must be instants');
    if (dropped !== undefined && !DROP_REASONS.includes(dropped as DropReason)) return fail(`"dropped" must be one of ${DROP_REASONS.join(', ')}`);
    connections.push({
      connection,
      user,
      node,
      ...(writtenAt !== undefined && { writtenAt }),
      ...(ackedAt !== undefined && { ackedAt }),
      ...(dropped !== undefined && { dropped: dropped as DropReason }),
    });
  }
  return { ok: true, value: connections };
}

/** A latency summary, or null when it is malformed. */
function latency(value: unknown): PushLatencySummary | null {
  if (!isRecord(value)) return null;
  const { count, p50, p95, p99, max } = value;
  if (!isCount(count) || ![p50, p95, p99, max].every(isDuration)) return null;
  return { count, p50: p50 as number, p95: p95 as number, p99: p99 as number, max: max as number };
}

function isInstant(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
