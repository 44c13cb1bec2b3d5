import type { DeliveryRecorder } from '../hub/delivery-record.ts';
import { DROP_REASONS, type DropReason, type PushNodeRecord, type UserPushRecord } from '../protocol.ts';
import type { NormalizedTarget, PushEnvelope } from '../push/push-envelope.ts';
import { epochMs } from '../telemetry/clock.ts';
import { ignoringObserver, type GatewayObserver } from '../telemetry/gateway-observer.ts';
import { createFanoutTable } from './fanout-table.ts';
import type { NodeInspection } from './node-answers.ts';
import { createPushRecordStore, NO_RECORD } from './push-record-store.ts';

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

/**
 * Records pushes as they pass this node, bounded by age and count (push-record-store.ts): the
 * accepting node's part (accepted at, target, trace id, even when nothing matched) and every
 * fanning-out node's (fanout-table.ts). Times come from what the hub already computes: a write
 * round's time stamps every frame written in it, an ack its own.
 */
export function createPushInspector(options: PushInspectorOptions): PushInspector {
  const { nodeId, connections } = options;
  const store = createPushRecordStore({ maxAgeMs: options.maxAgeMs, capacity: options.capacity, onExpired: (slot) => fanouts.clear(slot) });
  const fanouts = createFanoutTable({ bound: connections, rows: store.rows, acceptedAtOf: store.acceptedAt });

  // The fan-out opened last: the one `fannedOut` reports next, without a lookup of its id.
  let openedSlot = NO_RECORD;
  let openedId: string | undefined;
  const recorder: DeliveryRecorder = {
    open({ push, timing }) {
      const slot = store.obtain(push, timing.fanoutAt);
      openedSlot = slot;
      openedId = push.id;
      return fanouts.open(slot, push.id, timing.fanoutAt);
    },
  };

  const observer: GatewayObserver = {
    ...ignoringObserver,
    fannedOut(push, _recipients, durationMs) {
      // Made during this very fan-out when there is one: no age to check.
      const slot = openedId === push.id ? openedSlot : store.peek(push.id);
      if (slot === NO_RECORD || !fanouts.has(slot, push.id)) return;
      fanouts.fannedOut(slot, durationMs);
    },
    framesWritten(pushes, writtenAt) {
      for (const prepared of pushes) fanouts.roundWritten(prepared.record, prepared.written, writtenAt);
    },
    acked(connection, pushId, _timing, ackedAt) {
      const slot = store.find(pushId, ackedAt);
      if (slot !== NO_RECORD && fanouts.has(slot, pushId)) fanouts.acked(slot, connection, ackedAt);
    },
  };

  /** The record's facts as an answer shows them. */
  const facts = (slot: number) => {
    const traceId = store.traceIdAt(slot);
    return { acceptedAt: store.acceptedAt(slot), to: store.targetAt(slot), ...(traceId !== undefined && { traceId }) };
  };

  return {
    recorder,
    observer,
    accepted(push) {
      // Recorded at once: its fan-out here (after the bus's append) then finds the record made,
      // and a record costs a lookup and an insert, no more than what deferring it would cost.
      store.markAccepted(store.obtain(push, push.acceptedAt));
    },
    inspect(id) {
      const slot = store.find(id, epochMs());
      if (slot === NO_RECORD) return undefined;
      const accepted = store.isAccepted(slot);
      const node = fanouts.has(slot, id) ? fanouts.answer(slot, nodeId) : accepted ? unmatched(nodeId, store.publishedAt(slot)) : undefined;
      const { acceptedAt, to, ...trace } = facts(slot);
      return { ...(accepted && { acceptedBy: nodeId }), acceptedAt, publishedAt: store.publishedAt(slot), to, ...trace, ...(node && { node }) };
    },
    userPushes(user, limit) {
      const pushes: UserPushRecord[] = [];
      // The records are walked, newest first, rather than kept in an index per user: an index
      // is paid for by every push (a lookup and an insert per user reached), this walk only by the
      // rare question, and it is bounded by the records held (README: what it costs).
      for (const slot of store.newestFirst(epochMs())) {
        const id = store.idAt(slot)!;
        const found = fanouts.has(slot, id) && fanouts.reaches(slot, user) ? fanouts.connectionsOf(slot, user, nodeId) : [];
        // A push to a user who is offline everywhere is still on that user's list: "matched 0".
        if (found.length === 0 && !(store.isAccepted(slot) && store.namesUser(slot, user))) continue;
        const { acceptedAt, to, ...trace } = facts(slot);
        pushes.push({ id, acceptedAt, to: publicTarget(to), ...trace, connections: found });
        if (pushes.length === limit) break;
      }
      return pushes;
    },
  };
}

/** The accepting node's part in a push that matched no connection there. */
function unmatched(node: string, publishedAt: number): PushNodeRecord {
  const dropped = Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as Record<DropReason, number>;
  return { node, fanoutAt: publishedAt, fanoutMs: 0, matched: 0, written: 0, dropped, acked: 0, connections: [] };
}

/** The target as the API shows it: only the kinds the push named. */
export function publicTarget({ users, tags, all }: NormalizedTarget): UserPushRecord['to'] {
  return { ...(users.length > 0 && { users }), ...(tags.length > 0 && { tags }), ...(all && { all }) };
}
