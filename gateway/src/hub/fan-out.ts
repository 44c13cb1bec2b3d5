import { epochMs } from '../telemetry/clock.ts';
import { CloseCode } from '../protocol.ts';
import type { PushEnvelope } from '../push/push-envelope.ts';
import type { HubObserver } from './hub-observer.ts';
import { preparePush, type PreparedPush } from './prepared-push.ts';
import type { RecentPushes } from './recent-pushes.ts';
import type { Registry } from './registry.ts';
import { bufferedOf, closeSession, type Session } from './session.ts';
import type { WriteCoalescer } from './write-coalescer.ts';

export interface FanOutOptions {
  registry: Registry<Session>;
  writer: WriteCoalescer;
  recent: RecentPushes;
  observer: HubObserver;
  /** Buffered bytes above which a connection is closed with 1013. */
  slowConsumerBytes: number;
}

/**
 * One push to this node's matching connections: resolve, encode once, queue for each within the
 * slow-consumer limit, and commit the write round. Returns the deliver function, which answers
 * how many connections the push was queued for.
 */
export function createFanOut(options: FanOutOptions): (push: PushEnvelope) => number {
  const { registry, writer, recent, observer, slowConsumerBytes } = options;

  /** Queues one frame unless the connection is closing or already past the slow-consumer limit. */
  const offer = (session: Session, prepared: PreparedPush): boolean => {
    if (session.closeReason !== undefined) return false;
    const buffered = bufferedOf(session);
    const sampled = prepared.timing.traceId !== undefined;
    // A single frame larger than the limit still goes to an idle connection; what is bounded is the backlog.
    if (buffered > 0 && buffered + prepared.frame.length > slowConsumerBytes) {
      prepared.dropped += 1;
      if (sampled) observer.sampledDelivery(prepared, session.connection, false);
      // Its backlog is lost anyway: dropped, so that the 1013 frame is the next thing it reads.
      observer.dropped('slow_consumer', 1 + writer.discard(session.outbox));
      closeSession(writer, session, CloseCode.TryAgainLater, 'slow_consumer', 'slow consumer');
      return false;
    }
    writer.enqueue(session.outbox, prepared);
    if (sampled) observer.sampledDelivery(prepared, session.connection, true);
    return true;
  };

  return (push) => {
    const fanoutAt = epochMs();
    let prepared: PreparedPush | undefined;
    let recipients = 0;
    registry.forEachMatch(push.to, (session) => {
      // Encode lazily: a node with no matching connection never pays for the frame.
      prepared ??= preparePush(push, fanoutAt);
      prepared.matched += 1;
      if (offer(session, prepared)) recipients += 1;
    });
    if (prepared) {
      // Reported with its write round, even when every match was dropped: that fan-out matters most.
      writer.track(prepared);
      if (recipients > 0) recent.remember(prepared.timing);
    }
    writer.commit();
    observer.fannedOut(push, recipients, epochMs() - fanoutAt);
    return recipients;
  };
}
