import type { DropReason } from '../protocol.ts';
import type { Connection } from './connection.ts';
import type { PreparedPush, QueuedFrame } from './prepared-push.ts';

/**
 * What the fan-out tells a push's record about each of its deliveries on this node (the push
 * inspector implements it). Each call is O(1); the record decides what it keeps of them.
 */
export interface DeliveryRecord {
  /** The push matched `connection` (queued there, or about to be dropped as a slow consumer). */
  matched(connection: Connection): void;
  /** Its frame was handed to the socket; the write round's time comes with `framesWritten`. */
  written(connection: Connection): void;
  dropped(connection: Connection, reason: DropReason): void;
}

/** Opens the record of a push that matched a first connection on this node. */
export interface DeliveryRecorder {
  open(prepared: PreparedPush): DeliveryRecord;
}

/** Tells the records of discarded frames why their connection never got them (a rare path: no cost per delivery). */
export function reportDiscarded(frames: readonly QueuedFrame[], connection: Connection, reason: DropReason): void {
  for (const { prepared } of frames) prepared.record?.dropped(connection, reason);
}
