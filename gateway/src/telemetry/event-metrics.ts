import { Counter, Histogram, type Registry, type RegistryContentType } from 'prom-client';
import { CLOSE_REASONS, DROP_REASONS, PUSH_ERROR_REASONS, PUSH_TARGET_KINDS, REJECT_REASONS, RESUME_RESULTS, TAG_CHANGE_KINDS, TOKEN_RENEWAL_RESULTS } from '../protocol.ts';
import { ignoringObserver, type GatewayObserver } from './gateway-observer.ts';
import { DURATION_BUCKETS, LATENCY_BUCKETS, MetricNames } from './metric-names.ts';
import { createWeightedHistogram } from './weighted-histogram.ts';

/** Every bounded label value starts at zero, so rate() and absent() behave from the first scrape. */
function zeroed(counter: Counter<'reason'>, reasons: readonly string[]): Counter<'reason'> {
  for (const reason of reasons) counter.inc({ reason }, 0);
  return counter;
}

const exemplarFor = (traceId: string | undefined) => (traceId ? { trace_id: traceId } : undefined);

/**
 * The metrics the gateway's events feed: counters and histograms, built before the hub (which
 * reports to the returned observer) and reading nothing back from it.
 */
export function createEventMetrics(registers: Array<Registry<RegistryContentType>>): GatewayObserver {
  const reasons = (name: string, help: string, values: readonly string[]) =>
    zeroed(new Counter({ name, help, labelNames: ['reason'], registers }), values);
  const opened = new Counter({ name: MetricNames.connectionsOpened, help: 'WebSocket connections opened.', registers });
  const closed = reasons(MetricNames.connectionsClosed, 'WebSocket connections closed, by reason.', CLOSE_REASONS);
  const rejected = reasons(MetricNames.connectionsRejected, 'Upgrade requests refused, by reason.', REJECT_REASONS);
  const pushes = new Counter({ name: MetricNames.pushes, help: 'Pushes accepted, by target kind.', labelNames: ['target'], registers });
  const pushErrors = reasons(MetricNames.pushErrors, 'Pushes refused or failed, by reason.', PUSH_ERROR_REASONS);
  const deliveries = new Counter({ name: MetricNames.deliveries, help: 'Push frames handed to sockets.', registers });
  const dropped = reasons(MetricNames.deliveriesDropped, 'Deliveries not made, by reason.', DROP_REASONS);
  const acks = new Counter({ name: MetricNames.acks, help: 'Client acks received.', registers });
  const refreshes = new Counter({ name: MetricNames.tokenRefreshes, help: 'Refresh frames sent to connections whose token expired.', registers });
  const renewals = new Counter({ name: MetricNames.tokenRenewals, help: 'Token frames answered, by result.', labelNames: ['result'], registers });
  for (const result of TOKEN_RENEWAL_RESULTS) renewals.inc({ result }, 0);
  const broadcast = new Histogram({ name: MetricNames.broadcastDuration, help: 'One push fan-out on this node: resolve targets, queue frames.', buckets: DURATION_BUCKETS, registers });
  const handling = new Histogram({ name: MetricNames.messageHandlingDuration, help: 'One inbound client frame: parse, validate, handle.', buckets: DURATION_BUCKETS, registers });
  const pushToWrite = createWeightedHistogram({ name: MetricNames.pushToWrite, help: 'Push accepted to frame handed to the socket, per delivery.', buckets: LATENCY_BUCKETS, registers });
  const pushToAck = createWeightedHistogram({ name: MetricNames.pushToAck, help: 'Push accepted to client ack: end-to-end latency.', buckets: LATENCY_BUCKETS, registers });
  const busErrors = new Counter({ name: MetricNames.busPublishErrors, help: 'Pushes the bus could not take.', registers });
  const resumes = new Counter({ name: MetricNames.resumes, help: 'Streams resumed, by result.', labelNames: ['result'], registers });
  for (const result of RESUME_RESULTS) resumes.inc({ result }, 0);
  const replayed = new Counter({ name: MetricNames.replayedPushes, help: 'Pushes written again to resuming connections.', registers });
  const replayDuration = new Histogram({ name: MetricNames.replayDuration, help: 'One resume: read the history, write the replay, answer.', buckets: LATENCY_BUCKETS, registers });
  const busReceived = new Counter({ name: MetricNames.busPushesReceived, help: 'Pushes the bus handed this node, its own included.', registers });
  const busLag = new Histogram({ name: MetricNames.busLag, help: 'Push handed to the bus on one node to received on another.', buckets: LATENCY_BUCKETS, registers });
  const tagChanges = new Counter({ name: MetricNames.tagChanges, help: 'Tags added to or removed from connections through the tag API.', labelNames: ['change'], registers });
  for (const change of TAG_CHANGE_KINDS) tagChanges.inc({ change }, 0);

  // Label children resolved once: the hot path never hashes label sets.
  const pushesBy = Object.fromEntries(PUSH_TARGET_KINDS.map((kind) => [kind, pushes.labels(kind)])) as Record<(typeof PUSH_TARGET_KINDS)[number], Counter.Internal>;
  for (const child of Object.values(pushesBy)) child.inc(0);

  return {
    ...ignoringObserver,
    connectionOpened: () => opened.inc(),
    connectionClosed: (_connection, reason) => closed.inc({ reason }),
    fannedOut: (_push, _recipients, durationMs) => broadcast.observe(durationMs / 1000),
    framesWritten(written, writtenAt) {
      let total = 0;
      for (const prepared of written) {
        if (prepared.written === 0) continue;
        total += prepared.written;
        // Every delivery of this push in this round has the same latency: one weighted observation.
        pushToWrite.observe((writtenAt - prepared.push.acceptedAt) / 1000, prepared.written, exemplarFor(prepared.timing.traceId));
      }
      if (total > 0) deliveries.inc(total);
    },
    dropped: (reason, count) => dropped.inc({ reason }, count),
    tagsChanged(_connection, { added, removed }) {
      if (added.length > 0) tagChanges.inc({ change: 'added' }, added.length);
      if (removed.length > 0) tagChanges.inc({ change: 'removed' }, removed.length);
    },
    acked(_connection, _pushId, timing, ackedAt) {
      acks.inc();
      if (timing) pushToAck.observe((ackedAt - timing.acceptedAt) / 1000, 1, exemplarFor(timing.traceId));
    },
    pushAccepted(target) {
      if (target.users.length > 0) pushesBy.user.inc();
      if (target.tags.length > 0) pushesBy.tag.inc();
      if (target.all) pushesBy.all.inc();
    },
    pushFailed(reason) {
      pushErrors.inc({ reason });
      if (reason === 'bus') busErrors.inc();
    },
    busPushReceived: () => busReceived.inc(),
    remotePushReceived: (lagMs) => busLag.observe(Math.max(0, lagMs) / 1000),
    resumed(report) {
      for (const { result } of report.results) resumes.inc({ result });
      replayed.inc(report.replayed.length);
      replayDuration.observe(Math.max(0, report.endedAt - report.startedAt) / 1000);
    },
    connectionRejected: (reason) => rejected.inc({ reason }),
    messageHandled: (durationMs) => handling.observe(durationMs / 1000),
    refreshRequested: () => refreshes.inc(),
    tokenRenewed: (result) => renewals.inc({ result }),
  };
}
