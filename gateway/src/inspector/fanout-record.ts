import type { Connection } from '../hub/connection.ts';
import type { DeliveryRecord } from '../hub/delivery-record.ts';
import { DROP_REASONS, SLOWEST_RECORDED_CONNECTIONS, type DropReason, type PushConnectionRecord, type PushNodeRecord } from '../protocol.ts';
import { createLatencyHistogram, summarize, type LatencyHistogram } from './latency-summary.ts';

/**
 * What became of a push on one connection, as a record keeps it (no reference to the connection
 * itself). Times are whole µs after the push was accepted: small integers, held in the slot
 * itself, where an epoch time would be a number object of its own for the collector to visit
 * for as long as the record lives.
 */
interface Slot {
  connection: string;
  user: string;
  /** `WRITE_PENDING` from the write until its round reports the time. */
  writtenUs: number | undefined;
  ackedUs: number | undefined;
  dropped: DropReason | undefined;
}

/** The slots of a record that matched nothing yet: shared, never written to (the first match replaces it). */
const NO_SLOTS: Slot[] = [];
/** A frame handed to the socket in a round that has not reported its time yet (no offset is this far before acceptance). */
const WRITE_PENDING = -(2 ** 30);
/** Up to this many slots a lookup scans them; past it a map finds them (most pushes reach one user). */
const SCAN_LIMIT = 8;

const slotOf = (connection: Connection): Slot => ({ connection: connection.id, user: connection.user, writtenUs: undefined, ackedUs: undefined, dropped: undefined });
const isWritten = (slot: Slot): boolean => slot.writtenUs !== undefined && slot.writtenUs !== WRITE_PENDING;

/** A fan-out that matched one connection at most, as the fan-out table keeps it in its columns (epoch ms). */
export interface SingleFanout {
  readonly acceptedAt: number;
  readonly fanoutAt: number;
  readonly fanoutMs: number;
  readonly written: number;
  readonly acked: number;
  readonly connection: { readonly id: string; readonly user: string } | undefined;
  /** `pending` from the write until its round reports the time. */
  readonly writtenAt: number | 'pending' | undefined;
  readonly ackedAt: number | undefined;
}

/**
 * One push's fan-out on this node, past a single connection (fanout-table.ts keeps those). Up to
 * `bound` matches each get a slot (written at, acked at, dropped); past that the record lets the
 * slots go and keeps latency histograms, the frames written last (the slowest to be written), the
 * slowest acks and the first drops. A class: its methods run for every delivery of a recorded
 * push, and live on one prototype rather than in closures made per push.
 */
export class FanoutRecord implements DeliveryRecord {
  /** Summed over the push's fan-outs here, in whole µs (a small integer, as the slots' times). */
  private fanoutUs = 0;
  /** When the fan-out started, µs after acceptance. */
  private readonly fanoutAtUs: number;
  matchedCount = 0;
  writtenCount = 0;
  ackedCount = 0;
  private drops: number[] | undefined;
  private slots: Slot[] | undefined = NO_SLOTS;
  private byId: Map<string, Slot> | undefined;
  private tail: Tail | undefined;

  constructor(
    private readonly acceptedAt: number,
    fanoutAt: number,
    private readonly bound: number,
  ) {
    this.fanoutAtUs = this.offsetUs(fanoutAt);
  }

  /** The record a single connection's fan-out makes, as it goes on past it (or is read). */
  static of(single: SingleFanout, bound: number): FanoutRecord {
    const record = new FanoutRecord(single.acceptedAt, single.fanoutAt, bound);
    record.fannedOut(single.fanoutMs);
    record.writtenCount = single.written;
    record.ackedCount = single.acked;
    if (single.connection) {
      const { id, user } = single.connection;
      record.matchedCount = 1;
      const { writtenAt, ackedAt } = single;
      const writtenUs = writtenAt === undefined ? undefined : writtenAt === 'pending' ? WRITE_PENDING : record.offsetUs(writtenAt);
      record.slots = [{ connection: id, user, writtenUs, ackedUs: ackedAt === undefined ? undefined : record.offsetUs(ackedAt), dropped: undefined }];
    }
    return record;
  }

  /** A fan-out here took `durationMs`. */
  fannedOut(durationMs: number): void {
    this.fanoutUs += Math.round(durationMs * 1000);
  }

  get truncated(): boolean {
    return this.tail !== undefined;
  }

  matched(connection: Connection): void {
    this.matchedCount += 1;
    const slots = this.slots;
    if (slots === undefined) return;
    if (slots.length >= this.bound) return this.truncate();
    const slot = slotOf(connection);
    // Most pushes match one connection here: an array made of it holds one, where pushing onto an
    // empty one reserves room for seventeen, kept as long as the record.
    if (slots.length === 0) this.slots = [slot];
    else slots.push(slot);
    if (this.byId) this.byId.set(slot.connection, slot);
    else if (slots.length > SCAN_LIMIT) this.byId = new Map(slots.map((each) => [each.connection, each]));
  }

  written(connection: Connection): void {
    if (this.tail) return this.tail.written(connection);
    const slot = this.find(connection.id);
    if (slot && slot.writtenUs === undefined) slot.writtenUs = WRITE_PENDING;
  }

  dropped(connection: Connection, reason: DropReason): void {
    const drops = (this.drops ??= DROP_REASONS.map(() => 0));
    drops[DROP_REASONS.indexOf(reason)]! += 1;
    if (this.tail) return this.tail.dropped(connection, reason);
    const slot = this.find(connection.id);
    if (slot) slot.dropped ??= reason;
  }

  /** A write round handed `count` of its frames to sockets at `writtenAt`. */
  roundWritten(count: number, writtenAt: number): void {
    this.writtenCount += count;
    const writtenUs = this.offsetUs(writtenAt);
    if (this.tail) return this.tail.roundWritten(count, writtenUs);
    for (const slot of this.slots!) if (slot.writtenUs === WRITE_PENDING) slot.writtenUs = writtenUs;
  }

  acked(connection: Connection, ackedAt: number): void {
    const ackedUs = this.offsetUs(ackedAt);
    if (this.tail) {
      this.ackedCount += 1;
      return this.tail.acked(connection, ackedUs);
    }
    const slot = this.find(connection.id);
    // A repeated ack counts once; one from a connection the push never matched here not at all.
    if (!slot || slot.ackedUs !== undefined) return;
    slot.ackedUs = ackedUs;
    this.ackedCount += 1;
  }

  /** A connection of `user` may be listed: one of the slots is the user's (once truncated, one the tail keeps). */
  reaches(user: string): boolean {
    return this.slots ? this.slots.some((slot) => slot.user === user) : this.tail!.keeps(user);
  }

  /** The listed connections of `user`, for that user's pushes. */
  connectionsOf(user: string, node: string): PushConnectionRecord[] {
    return (this.slots ?? this.tail!.slowest()).filter((slot) => slot.user === user).map((slot) => this.connectionRecord(slot, node));
  }

  /** This node's part in the push, as `GET /api/pushes/:id` shows it. */
  answer(node: string): PushNodeRecord {
    const dropped = Object.fromEntries(DROP_REASONS.map((reason, index) => [reason, this.drops?.[index] ?? 0])) as Record<DropReason, number>;
    const base = { node, fanoutAt: this.epochMs(this.fanoutAtUs), fanoutMs: this.fanoutUs / 1000, matched: this.matchedCount, written: this.writtenCount, dropped, acked: this.ackedCount };
    if (this.tail) {
      const connections = this.tail.slowest().map((slot) => this.connectionRecord(slot, node));
      return { ...base, connections, truncated: true, ...latencies(this.tail.writes.summary(), this.tail.acks?.summary()) };
    }
    const slots = this.slots!;
    const writes = summarize(slots.flatMap((slot) => (isWritten(slot) ? [slot.writtenUs! / 1000] : [])));
    const acks = summarize(slots.flatMap((slot) => (slot.ackedUs !== undefined ? [slot.ackedUs / 1000] : [])));
    return { ...base, connections: slots.map((slot) => this.connectionRecord(slot, node)), ...latencies(writes, acks) };
  }

  private offsetUs(epochMs: number): number {
    return Math.round((epochMs - this.acceptedAt) * 1000);
  }

  private epochMs(offsetUs: number): number {
    return this.acceptedAt + offsetUs / 1000;
  }

  private connectionRecord(slot: Slot, node: string): PushConnectionRecord {
    return {
      connection: slot.connection,
      user: slot.user,
      node,
      ...(isWritten(slot) && { writtenAt: this.epochMs(slot.writtenUs!) }),
      ...(slot.ackedUs !== undefined && { ackedAt: this.epochMs(slot.ackedUs) }),
      ...(slot.dropped && { dropped: slot.dropped }),
    };
  }

  private find(id: string): Slot | undefined {
    if (this.byId) return this.byId.get(id);
    for (const slot of this.slots!) if (slot.connection === id) return slot;
    return undefined;
  }

  /** Past the bound: the slots go, the summaries take over. Nothing was written yet (writes follow the fan-out). */
  private truncate(): void {
    this.tail = new Tail();
    for (const slot of this.slots!) if (slot.dropped) this.tail.keepDrop(slot);
    this.slots = undefined;
    this.byId = undefined;
  }
}

/** What a truncated record keeps: O(1) per delivery, a fixed size per push. */
class Tail {
  readonly writes: LatencyHistogram = createLatencyHistogram();
  /** Made with the first ack: a broadcast nobody acks does not pay for it. */
  private ackHistogram: LatencyHistogram | undefined;
  /** The last frames written, in a ring: those are the slowest to be written. */
  private readonly lastWritten: Slot[] = [];
  private next = 0;
  /** Ring entries written since the last round reported its time. */
  private pending = 0;
  /** The slowest acks, slowest first. */
  private readonly slowAcks: Slot[] = [];
  private readonly drops: Slot[] = [];

  written(connection: Connection): void {
    const index = this.next;
    this.next = (index + 1) % SLOWEST_RECORDED_CONNECTIONS;
    const slot = this.lastWritten[index];
    if (slot) {
      slot.connection = connection.id;
      slot.user = connection.user;
      slot.writtenUs = WRITE_PENDING;
      slot.ackedUs = undefined;
    } else this.lastWritten[index] = { ...slotOf(connection), writtenUs: WRITE_PENDING };
    this.pending += 1;
  }

  dropped(connection: Connection, reason: DropReason): void {
    if (this.drops.length < SLOWEST_RECORDED_CONNECTIONS) this.keepDrop({ ...slotOf(connection), dropped: reason });
  }

  keepDrop(slot: Slot): void {
    if (this.drops.length < SLOWEST_RECORDED_CONNECTIONS) this.drops.push(slot);
  }

  roundWritten(count: number, writtenUs: number): void {
    this.writes.add(writtenUs / 1000, count);
    if (this.pending === 0) return;
    for (const slot of this.lastWritten) if (slot.writtenUs === WRITE_PENDING) slot.writtenUs = writtenUs;
    this.pending = 0;
  }

  acked(connection: Connection, ackedUs: number): void {
    (this.ackHistogram ??= createLatencyHistogram()).add(ackedUs / 1000, 1);
    for (const slot of this.lastWritten) if (slot.connection === connection.id) slot.ackedUs ??= ackedUs;
    const slow = this.slowAcks;
    if (slow.length === SLOWEST_RECORDED_CONNECTIONS && slow[slow.length - 1]!.ackedUs! >= ackedUs) return;
    const slot = { ...slotOf(connection), ackedUs };
    let index = slow.findIndex((each) => each.ackedUs! < ackedUs);
    if (index < 0) index = slow.length;
    slow.splice(index, 0, slot);
    if (slow.length > SLOWEST_RECORDED_CONNECTIONS) slow.pop();
  }

  get acks(): LatencyHistogram | undefined {
    return this.ackHistogram;
  }

  /** One of the kept entries is of `user`: a check that builds nothing, made before `slowest`. */
  keeps(user: string): boolean {
    const of = (slot: Slot) => slot.user === user;
    return this.lastWritten.some(of) || this.slowAcks.some(of) || this.drops.some(of);
  }

  /** The slowest connections: drops first, then the latest to be acked or written, one entry each. */
  slowest(): Slot[] {
    const seen = new Map<string, Slot>();
    const lateness = (slot: Slot) => (slot.dropped ? Infinity : Math.max(slot.ackedUs ?? -Infinity, isWritten(slot) ? slot.writtenUs! : -Infinity));
    for (const slot of [...this.drops, ...this.slowAcks, ...this.lastWritten]) {
      const known = seen.get(slot.connection);
      if (!known || lateness(slot) > lateness(known)) seen.set(slot.connection, slot);
    }
    return [...seen.values()].sort((a, b) => lateness(b) - lateness(a)).slice(0, SLOWEST_RECORDED_CONNECTIONS);
  }
}

function latencies(writes: PushNodeRecord['writeLatency'], acks: PushNodeRecord['ackLatency']) {
  return { ...(writes && { writeLatency: writes }), ...(acks && { ackLatency: acks }) };
}
