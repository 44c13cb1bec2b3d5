import type { Connection } from '../hub/connection.ts';
import type { DeliveryRecord } from '../hub/delivery-record.ts';
import type { DropReason, PushConnectionRecord, PushNodeRecord } from '../protocol.ts';
import { FanoutRecord, type SingleFanout } from './fanout-record.ts';
import { grown, ringGrowth } from './record-columns.ts';

/**
 * The fan-outs of this node's recorded pushes, one row per push under its record's slot
 * (push-record-store.ts). Most pushes reach one user, on one connection here: such a fan-out is
 * kept in the row's columns, and makes no object that outlives it. The first match of a second
 * connection, or a drop, moves the fan-out into a `FanoutRecord` (fanout-record.ts), which lists
 * its connections up to the bound and summarises them past it.
 */
export interface FanoutTable {
  /** The record in `slot` has gone: its row lets go of what it held. */
  clear(slot: number): void;
  /** Starts the push's fan-out in `slot` (or goes on with it: a push may fan out here more than once). */
  open(slot: number, id: string, fanoutAt: number): DeliveryRecord;
  /** The row holds the fan-out of push `id` (a slot is reused once its record has gone). */
  has(slot: number, id: string): boolean;
  /** The row's fan-out lists a connection of `user` (whose record it holds is the caller's check: `has`). */
  reaches(slot: number, user: string): boolean;
  /** A write round handed `count` of the record's frames to sockets at `writtenAt`. */
  roundWritten(record: DeliveryRecord | undefined, count: number, writtenAt: number): void;
  fannedOut(slot: number, durationMs: number): void;
  acked(slot: number, connection: Connection, ackedAt: number): void;
  /** The listed connections of `user`, for that user's pushes. */
  connectionsOf(slot: number, user: string, node: string): PushConnectionRecord[];
  /** This node's part in the push, as `GET /api/pushes/:id` shows it. */
  answer(slot: number, node: string): PushNodeRecord;
}

/** `writtenAt` of a frame handed to the socket whose round has not reported its time yet (epoch times are positive). */
const WRITE_PENDING = -1;
/** `writtenAt` or `ackedAt` not yet. */
const NOT_YET = 0;

/** The handle the hub reports one push's deliveries to: its row, checked still to be the push's. */
class FanoutRow implements DeliveryRecord {
  constructor(
    private readonly table: Rows,
    readonly slot: number,
    readonly id: string,
  ) {}

  matched(connection: Connection): void {
    if (this.table.owner[this.slot] === this.id) this.table.matched(this.slot, connection);
  }

  written(connection: Connection): void {
    if (this.table.owner[this.slot] === this.id) this.table.written(this.slot, connection);
  }

  dropped(connection: Connection, reason: DropReason): void {
    if (this.table.owner[this.slot] === this.id) this.table.many(this.slot).dropped(connection, reason);
  }
}

/** What the rows hold and do, for the handles. */
interface Rows {
  readonly owner: Array<string | undefined>;
  matched(slot: number, connection: Connection): void;
  written(slot: number, connection: Connection): void;
  /** The row's fan-out as a `FanoutRecord`, moved into one when it is still inline. */
  many(slot: number): FanoutRecord;
}

export interface FanoutTableOptions {
  /** Connections a fan-out lists one by one (`WSGW_PUSH_RECORD_CONNECTIONS`). */
  bound: number;
  /** Slots are numbered below this (the record store's rows). */
  rows: number;
  /** When the push in `slot` was accepted: the record store's, read rather than kept twice. */
  acceptedAtOf: (slot: number) => number;
}

export function createFanoutTable({ bound, rows: maxRows, acceptedAtOf }: FanoutTableOptions): FanoutTable {
  const owner: Array<string | undefined> = [];
  const connection: Array<string | undefined> = [];
  const user: Array<string | undefined> = [];
  const records: Array<FanoutRecord | undefined> = [];
  let allocated = 0;
  let fanoutAt = new Float64Array(0);
  let fanoutMs = new Float64Array(0);
  let writtenAt = new Float64Array(0);
  let ackedAt = new Float64Array(0);
  let written = new Int32Array(0);
  let acked = new Int32Array(0);

  const grow = (needed: number) => {
    const size = ringGrowth(allocated, needed, maxRows);
    fanoutAt = grown(fanoutAt, size);
    fanoutMs = grown(fanoutMs, size);
    writtenAt = grown(writtenAt, size);
    ackedAt = grown(ackedAt, size);
    written = grown(written, size);
    acked = grown(acked, size);
    // Filled up front: a row set far past an array's end would turn it into a dictionary.
    for (const column of [owner, connection, user, records]) while (column.length < size) column.push(undefined);
    allocated = size;
  };

  /** The inline fan-out as the record it would be: what a read (rare) and a move are made from. */
  const single = (slot: number): SingleFanout => {
    const at = writtenAt[slot]!;
    const id = connection[slot];
    return {
      acceptedAt: acceptedAtOf(slot),
      fanoutAt: fanoutAt[slot]!,
      fanoutMs: fanoutMs[slot]!,
      written: written[slot]!,
      acked: acked[slot]!,
      connection: id === undefined ? undefined : { id, user: user[slot]! },
      writtenAt: at === NOT_YET ? undefined : at === WRITE_PENDING ? 'pending' : at,
      ackedAt: ackedAt[slot] === NOT_YET ? undefined : ackedAt[slot]!,
    };
  };
  const view = (slot: number): FanoutRecord => records[slot] ?? FanoutRecord.of(single(slot), bound);

  const rows: Rows = {
    owner,
    matched(slot, match) {
      const record = records[slot];
      if (record) return record.matched(match);
      if (connection[slot] === undefined) {
        connection[slot] = match.id;
        user[slot] = match.user;
      } else rows.many(slot).matched(match);
    },
    written(slot, match) {
      const record = records[slot];
      if (record) return record.written(match);
      if (connection[slot] === match.id && writtenAt[slot] === NOT_YET) writtenAt[slot] = WRITE_PENDING;
    },
    many(slot) {
      let record = records[slot];
      if (!record) {
        record = records[slot] = FanoutRecord.of(single(slot), bound);
        connection[slot] = user[slot] = undefined;
      }
      return record;
    },
  };

  return {
    open(slot, id, at) {
      if (owner[slot] !== id) {
        if (slot >= allocated) grow(slot + 1);
        owner[slot] = id;
        connection[slot] = user[slot] = records[slot] = undefined;
        fanoutAt[slot] = at;
        fanoutMs[slot] = 0;
        writtenAt[slot] = ackedAt[slot] = NOT_YET;
        written[slot] = acked[slot] = 0;
      }
      return new FanoutRow(rows, slot, id);
    },
    has: (slot, id) => owner[slot] === id,
    reaches(slot, of) {
      const record = records[slot];
      return record ? record.reaches(of) : user[slot] === of;
    },
    clear(slot) {
      if (slot < allocated) owner[slot] = connection[slot] = user[slot] = records[slot] = undefined;
    },
    roundWritten(record, count, at) {
      if (!(record instanceof FanoutRow) || owner[record.slot] !== record.id) return;
      const { slot } = record;
      const many = records[slot];
      if (many) return many.roundWritten(count, at);
      written[slot] = written[slot]! + count;
      if (writtenAt[slot] === WRITE_PENDING) writtenAt[slot] = at;
    },
    fannedOut(slot, durationMs) {
      const record = records[slot];
      if (record) record.fannedOut(durationMs);
      else fanoutMs[slot] = fanoutMs[slot]! + durationMs;
    },
    acked(slot, match, at) {
      const record = records[slot];
      if (record) return record.acked(match, at);
      // A repeated ack counts once; one from a connection the push never matched here not at all.
      if (connection[slot] !== match.id || ackedAt[slot] !== NOT_YET) return;
      ackedAt[slot] = at;
      acked[slot] = acked[slot]! + 1;
    },
    connectionsOf: (slot, of, node) => view(slot).connectionsOf(of, node),
    answer: (slot, node) => view(slot).answer(node),
  };
}
