import type { CloseReason, DropReason } from '../protocol.ts';
import type { PushEnvelope } from '../push/push-envelope.ts';
import type { Connection } from './connection.ts';
import type { PreparedPush } from './prepared-push.ts';
import type { PushTiming } from './recent-pushes.ts';

/**
 * What the hub reports as it works. Stats and telemetry implement it; every call is made once
 * per event or once per fan-out round (never once per delivery), so it stays cheap at 10k sockets.
 */
export interface HubObserver {
  connectionOpened(connection: Connection): void;
  connectionClosed(connection: Connection, reason: CloseReason): void;
  /** One push resolved and queued on this node. */
  fannedOut(push: PushEnvelope, recipients: number, durationMs: number): void;
  /**
   * A write round finished (a coalesced round, or what a socket took once it drained; a push whose
   * frames waited for a drain is reported again then); each push's `written` says how many sockets got it.
   */
  framesWritten(pushes: readonly PreparedPush[], writtenAt: number): void;
  dropped(reason: DropReason, count: number): void;
  /** `timing` is the push's, when it is still remembered; `ackedAt` is epoch ms. */
  acked(connection: Connection, pushId: string, timing: PushTiming | undefined, ackedAt: number): void;
}
