import type { DeliveryRecorder } from '../hub/delivery-record.ts';
import { DROP_REASONS, type DropReason, type PushNodeRecord, type UserPushRecord } from '../protocol.ts';
import type { NormalizedTarget, PushEnvelope } from '../push/push-envelope.ts';
import { epochMs } from '../telemetry/clock.ts';
import { ignoringObserver, type GatewayObserver } from '../telemetry/gateway-observer.ts';
import { FanoutRecord } from './fanout-record.ts';
import type { NodeInspection } from './node-answers.ts';
import { createPushRecordStore, type PushRecord } from './push-record-store.ts';
import { createUserPushIndex } from './user-push-index.ts';

export interface PushInspectorOptions {
  nodeId: string;
  /** `WSGW_PUSH_RECORD_MS`: how long a push's record is kept, ms. */
  maxAgeMs: number;
  /** `WSGW_PUSH_RECORD_MAX`: records kept at most on this node. */
  capacity: number;
  /** `WSGW_PUSH_RECORD_CONNECTIONS`: connections listed one by one per push. */
  connections: number;
}

/** This node's side of the push inspector: what it records, and what it answers from that. */
export interface PushInspector {
  /** Handed to the hub: opens a record for each push that matches a connection here. */
  readonly recorder: DeliveryRecorder;
  /** Combined into the gateway's observer: write rounds, acks and fan-out durations. */
  readonly observer: GatewayObserver;
  /** This node accepted the push (called before its local delivery). */
  accepted(push: PushEnvelope): void;
  /** What this node knows of the push, or undefined when nothing. */
  inspect(id: string): NodeInspection | undefined;
  /** The user's recent pushes this node knows of, newest first, with the user's connections here. */
  userPushes(user: string, limit: number): UserPushRecord[];
}

/** A user's pushes kept per user on each node: as many as one answer lists. */
const PUSHES_PER_USER = 100;

/**
 * Records pushes as they pass this node, bounded by age and count (push-record-store.ts): the
 * accepting node's part (accepted at, target, trace id, even when nothing matched) and every
 * fanning-out node's (fanout-record.ts). Times come from what the hub already computes: a write
 * round's time stamps every frame written in it, an ack its own.
 */
export function createPushInspector(options: PushInspectorOptions): PushInspector {
  const { nodeId, connections } = options;
  // Each record names a handful of users in the usual case; the index holds a few per record.
  const users = createUserPushIndex(PUSHES_PER_USER, options.capacity * 2);
  const indexTarget = (record: PushRecord) => {
    // A push to a user who is offline everywhere is still on that user's list: "matched 0".
    for (const user of record.to.users.slice(0, connections)) users.add(user, record.id);
  };
  // An accepted push's users are indexed with its record, after the turn's writes.
  const store = createPushRecordStore({ maxAgeMs: options.maxAgeMs, capacity: options.capacity, onIndexed: (record) => record.accepted && indexTarget(record) });

  /**
   * Pushes this node accepted in this turn, recorded at its end: accepting comes before the
   * push's first write (its fan-out here follows the bus's append), and what a record costs is
   * better paid after it. Every read records them first.
   */
  let acceptances: PushEnvelope[] = [];
  const recordAcceptances = () => {
    if (acceptances.length === 0) return;
    const pushes = acceptances;
    acceptances = [];
    const now = epochMs();
    for (const push of pushes) {
      const record = store.obtain(push, now);
      if (record.accepted) continue;
      record.accepted = true;
      // Made by its fan-out here already, it may be indexed by now: its users are added here.
      if (record.fanout) indexTarget(record);
    }
  };

  const recorder: DeliveryRecorder = {
    open(prepared) {
      const record = store.obtain(prepared.push, prepared.timing.fanoutAt);
      return (record.fanout ??= new FanoutRecord(record, prepared.timing.fanoutAt, connections));
    },
  };

  const observer: GatewayObserver = {
    ...ignoringObserver,
    fannedOut(push, _recipients, durationMs) {
      // Made during this very fan-out when there is one: no age to check.
      const fanout = store.peek(push.id)?.fanout;
      if (!fanout) return;
      fanout.fannedOut(durationMs);
      // Indexed once the fan-out is over, when the record knows whether it lists its connections.
      fanout.indexUsers(users, push.id);
    },
    framesWritten(pushes, writtenAt) {
      for (const prepared of pushes) {
        const { record } = prepared;
        if (record instanceof FanoutRecord) record.roundWritten(prepared.written, writtenAt);
      }
    },
    acked(connection, pushId, _timing, ackedAt) {
      recordAcceptances();
      store.get(pushId, ackedAt)?.fanout?.acked(connection, ackedAt);
    },
  };

  return {
    recorder,
    observer,
    accepted(push) {
      acceptances.push(push);
      if (acceptances.length === 1) setImmediate(recordAcceptances);
    },
    inspect(id) {
      recordAcceptances();
      const record = store.get(id, epochMs());
      if (!record) return undefined;
      const node = record.fanout?.answer(nodeId) ?? (record.accepted ? unmatched(nodeId, record) : undefined);
      return {
        ...(record.accepted && { acceptedBy: nodeId }),
        acceptedAt: record.acceptedAt,
        publishedAt: record.publishedAt,
        to: record.to,
        ...(record.traceId !== undefined && { traceId: record.traceId }),
        ...(node && { node }),
      };
    },
    userPushes(user, limit) {
      recordAcceptances();
      const now = epochMs();
      const pushes: UserPushRecord[] = [];
      // A push is indexed for its target and for its fan-out, which may not be next to each other.
      for (const id of new Set(users.idsOf(user))) {
        const record = store.get(id, now);
        if (!record) continue;
        const found = record.fanout?.connectionsOf(user, nodeId) ?? [];
        if (found.length === 0 && !(record.accepted && record.to.users.includes(user))) continue;
        pushes.push({ id, acceptedAt: record.acceptedAt, to: publicTarget(record.to), ...(record.traceId !== undefined && { traceId: record.traceId }), connections: found });
        if (pushes.length === limit) break;
      }
      return pushes;
    },
  };
}

/** The accepting node's part in a push that matched no connection there. */
function unmatched(node: string, record: PushRecord): PushNodeRecord {
  const dropped = Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as Record<DropReason, number>;
  return { node, fanoutAt: record.publishedAt, fanoutMs: 0, matched: 0, written: 0, dropped, acked: 0, connections: [] };
}

/** The target as the API shows it: only the kinds the push named. */
export function publicTarget({ users, tags, all }: NormalizedTarget): UserPushRecord['to'] {
  return { ...(users.length > 0 && { users }), ...(tags.length > 0 && { tags }), ...(all && { all }) };
}
