/**
 * Every span attribute the gateway sets, in one place: OpenTelemetry's messaging conventions plus
 * the gateway's own `wsgw.*` ones. Payloads and tokens never become attributes; the user id is
 * opaque and can be left out (`WSGW_TRACE_USER_IDS=false`).
 */
export const SpanAttributes = {
  messagingSystem: 'messaging.system',
  messagingOperationType: 'messaging.operation.type',
  messagingOperationName: 'messaging.operation.name',
  messagingMessageId: 'messaging.message.id',
  messagingBatchCount: 'messaging.batch.message_count',
  /** The target kind: user, tag, all (comma-joined when a push has several). */
  messagingDestinationName: 'messaging.destination.name',
  httpMethod: 'http.request.method',
  httpRoute: 'http.route',
  httpStatus: 'http.response.status_code',
  node: 'wsgw.node',
  bus: 'wsgw.bus',
  matched: 'wsgw.fanout.matched',
  written: 'wsgw.fanout.written',
  dropped: 'wsgw.fanout.dropped',
  fanoutDurationMs: 'wsgw.fanout.duration_ms',
  recipients: 'wsgw.push.recipients',
  connection: 'wsgw.connection.id',
  user: 'wsgw.user.id',
  dropReason: 'wsgw.drop.reason',
  writeToAckMs: 'wsgw.ack.write_to_ack_ms',
  pushToAckMs: 'wsgw.ack.push_to_ack_ms',
  /** A resume: the streams it named that the connection holds, how many were recovered, the pushes replayed. */
  resumeStreams: 'wsgw.resume.streams',
  resumeRecovered: 'wsgw.resume.recovered',
  resumeReplayed: 'wsgw.resume.replayed',
} as const;

export const MESSAGING_SYSTEM = 'wsgw';

/** The messaging-convention attributes every push span carries. */
export function messagingAttributes(operationType: 'send' | 'process' | 'settle', operationName: string, messageId: string) {
  return {
    [SpanAttributes.messagingSystem]: MESSAGING_SYSTEM,
    [SpanAttributes.messagingOperationType]: operationType,
    [SpanAttributes.messagingOperationName]: operationName,
    [SpanAttributes.messagingMessageId]: messageId,
  };
}

/** Span names: low-cardinality templates, one per operation. */
export const SpanNames = {
  push: 'POST /api/push',
  batch: 'POST /api/push/batch',
  consolePush: 'POST /api/console/push',
  publish: 'wsgw.publish',
  fanout: 'wsgw.fanout',
  deliver: 'wsgw.deliver',
  ack: 'wsgw.ack',
  resume: 'wsgw.resume',
  /** One push written again to a resuming connection, in the push's own trace. */
  replay: 'wsgw.replay',
} as const;
