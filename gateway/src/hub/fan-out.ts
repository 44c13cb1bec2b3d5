import { epochMs } from '../telemetry/clock.ts';
import { CloseCode } from '../protocol.ts';
import type { PushEnvelope } from '../push/push-envelope.ts';
import { reportDiscarded, type DeliveryRecorder } from './delivery-record.ts';
import type { HubObserver } from './hub-observer.ts';
import type { StreamPositions } from '../bus/bus.ts';
import { streamIndexOf } from '../push/streams.ts';
import { preparePush, variantOf, type PreparedPush, type QueuedFrame } from './prepared-push.ts';
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
  /** The push inspector's recorder, when it is on. */
  recorder: DeliveryRecorder | undefined;
}

/**
 * One push to this node's matching connections: resolve, encode once, queue for each within the
 * slow-consumer limit, and commit the write round. Returns the deliver function, which answers
 * how many connections the push was queued for.
 */
export function createFanOut(options: FanOutOptions): (push: PushEnvelope, positions?: StreamPositions) => number {
  const { registry, writer, recent, observer, slowConsumerBytes, recorder } = options;

  /**
   * Queues one frame unless the connection is closing or already past the slow-consumer limit. A
   * connection being welcomed or resumed keeps it aside (session.ts `held`) until it is released.
   */
  const offer = (session: Session, queued: QueuedFrame): boolean => {
    if (session.closeReason !== undefined) return false;
    const { prepared } = queued;
    const buffered = bufferedOf(session) + session.heldBytes;
    const sampled = prepared.timing.traceId !== undefined;
    // A single frame larger than the limit still goes to an idle connection; what is bounded is the backlog.
    if (buffered > 0 && buffered + queued.frame.length > slowConsumerBytes) {
      prepared.dropped += 1;
      prepared.record?.dropped(session.connection, 'slow_consumer');
      if (sampled) observer.sampledDelivery(prepared, session.connection, false);
      // Its backlog is lost anyway: dropped, so that the 1013 frame is the next thing it reads.
      observer.dropped('slow_consumer', 1 + writer.discard(session.outbox, 'slow_consumer') + dropHeld(session));
      closeSession(writer, session, CloseCode.TryAgainLater, 'slow_consumer', 'slow consumer');
      return false;
    }
    if (session.held) {
      session.held.push(queued);
      session.heldBytes += queued.frame.length;
    } else writer.enqueue(session.outbox, queued);
    if (sampled) observer.sampledDelivery(prepared, session.connection, true);
    return true;
  };

  return (push, positions = {}) => {
    const fanoutAt = epochMs();
    let prepared: PreparedPush | undefined;
    let recipients = 0;
    const streams = Object.keys(positions);
    // One stream (or none): every match holds it, and the push has one frame for all.
    let variants: Map<string, QueuedFrame> | undefined;
    registry.forEachMatch(push.to, (session) => {
      // Encode lazily: a node with no matching connection never pays for the frame.
      if (prepared === undefined) {
        prepared = preparePush(push, positions, fanoutAt);
        if (recorder) prepared.record = recorder.open(prepared);
      }
      prepared.matched += 1;
      prepared.record?.matched(session.connection);
      const queued = streams.length <= 1 ? prepared : frameFor(session, prepared, streams, (variants ??= new Map()));
      if (offer(session, queued)) recipients += 1;
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

/** Drops the frames a session holds aside; returns how many. */
function dropHeld(session: Session): number {
  if (!session.held) return 0;
  const count = session.held.length;
  reportDiscarded(session.held, session.connection, 'slow_consumer');
  session.held = [];
  session.heldBytes = 0;
  return count;
}

/**
 * The frame of a push appended to several streams, for a connection that may hold only some of
 * them: its `pos` names those. Connections holding the same ones share one variant.
 */
function frameFor(session: Session, prepared: PreparedPush, streams: readonly string[], variants: Map<string, QueuedFrame>): QueuedFrame {
  const held = streams.filter((stream) => streamIndexOf(session.user, session.tags, stream) >= 0);
  if (held.length === streams.length) return prepared;
  const key = held.join('\n');
  let variant = variants.get(key);
  if (!variant) variants.set(key, (variant = variantOf(prepared, held)));
  return variant;
}
