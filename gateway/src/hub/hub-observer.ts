import type { CloseReason, DropReason } from '../protocol.ts';
import type { PushEnvelope } from '../push/push-envelope.ts';
import type { Connection } from './connection.ts';
import type { PreparedPush } from './prepared-push.ts';
import type { PushTiming } from './recent-pushes.ts';
import type { TagDelta } from './tag-change.ts';

/**
 * The facts the hub reports as it works: opened, fanned out, written, dropped, acked, closed.
 * Stats and telemetry implement it and keep whatever state they derive from them; the hub keeps
 * none for them. Every call is made once per event or once per write round (never once per
 * delivery), so it stays cheap at 10k sockets; the one exception, `sampledDelivery`, is made
 * only for pushes whose trace is sampled.
 */
export interface HubObserver {
  connectionOpened(connection: Connection): void;
  connectionClosed(connection: Connection, reason: CloseReason): void;
  /** One push resolved and queued on this node. */
  fannedOut(push: PushEnvelope, recipients: number, durationMs: number): void;
  /**
   * A push whose trace is sampled was queued for one connection, or dropped there as a slow
   * consumer (`queued` false). Unsampled pushes (a ratio sampler's usual case) are not reported
   * per delivery, so a broadcast to 10k sockets costs no 10k calls.
   */
  sampledDelivery(prepared: PreparedPush, connection: Connection, queued: boolean): void;
  /**
   * A write round finished (a coalesced round, or what a socket took once it drained; a push whose
   * frames waited for a drain is reported again then); each push's `written` says how many sockets got it.
   */
  framesWritten(pushes: readonly PreparedPush[], writtenAt: number): void;
  dropped(reason: DropReason, count: number): void;
  /** The connection's tags changed (through the tag API). */
  tagsChanged(connection: Connection, delta: TagDelta): void;
  /** `timing` is the push's, when it is still remembered; `ackedAt` is epoch ms. */
  acked(connection: Connection, pushId: string, timing: PushTiming | undefined, ackedAt: number): void;
}
