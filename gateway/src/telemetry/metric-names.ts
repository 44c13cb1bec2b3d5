/**
 * Every metric the gateway exposes, named once. The dashboards import these constants, so a
 * rename breaks their build instead of silently emptying a graph. Label values are bounded sets
 * (never user ids, connection ids or tags), each listed once as a `const` array in protocol.ts.
 */
export const MetricNames = {
  connections: 'wsgw_connections',
  users: 'wsgw_users',
  connectionsOpened: 'wsgw_connections_opened_total',
  /** label `reason`: `CLOSE_REASONS` (protocol.ts) */
  connectionsClosed: 'wsgw_connections_closed_total',
  /** label `reason`: `REJECT_REASONS` (protocol.ts) */
  connectionsRejected: 'wsgw_connections_rejected_total',
  /** label `target`: `PUSH_TARGET_KINDS` (protocol.ts) */
  pushes: 'wsgw_pushes_total',
  /** label `reason`: `PUSH_ERROR_REASONS` (protocol.ts) */
  pushErrors: 'wsgw_push_errors_total',
  deliveries: 'wsgw_deliveries_total',
  /** label `reason`: `DROP_REASONS` (protocol.ts) */
  deliveriesDropped: 'wsgw_deliveries_dropped_total',
  acks: 'wsgw_acks_total',
  /** `refresh` frames sent: connections whose token expired. */
  tokenRefreshes: 'wsgw_token_refreshes_total',
  /** label `result`: `TOKEN_RENEWAL_RESULTS` (protocol.ts). `token` frames answered. */
  tokenRenewals: 'wsgw_token_renewals_total',
  /** One push's fan-out on one node: resolve targets and queue frames. */
  broadcastDuration: 'wsgw_broadcast_duration_seconds',
  /** One inbound client frame: parse, validate, handle. */
  messageHandlingDuration: 'wsgw_message_handling_duration_seconds',
  /** Push accepted → frame handed to the socket, per delivery; `trace_id` exemplars. */
  pushToWrite: 'wsgw_push_to_write_seconds',
  /** Push accepted → client ack, the end-to-end latency; `trace_id` exemplars. */
  pushToAck: 'wsgw_push_to_ack_seconds',
  /** Per-connection unsent bytes, sampled every second. */
  socketBufferedBytes: 'wsgw_socket_buffered_bytes',
  /** Connections above half the slow-consumer limit at the last sample. */
  slowConsumers: 'wsgw_slow_consumers',
  /** 1 while the node can reach the bus. */
  busConnected: 'wsgw_bus_connected',
  /** Pushes the bus could not take (the API answered 503). */
  busPublishErrors: 'wsgw_bus_publish_errors_total',
  /** Times the bus connection came back after being lost. */
  busReconnects: 'wsgw_bus_reconnects_total',
  /** Pushes the bus handed this node, its own included: only those of the streams it watches. */
  busPushesReceived: 'wsgw_bus_pushes_received_total',
  /** Handed to the bus on one node → received on another. */
  busLag: 'wsgw_bus_lag_seconds',
  /** label `kind`: `BUS_MESSAGE_KINDS` (protocol.ts). Messages from the bus dropped as unusable. */
  busInvalidMessages: 'wsgw_bus_invalid_messages_total',
  /** label `result`: `RESUME_RESULTS` (protocol.ts). One per stream a `resume` named that the connection holds. */
  resumes: 'wsgw_resumes_total',
  /** Pushes written again to resuming connections. */
  replayedPushes: 'wsgw_replayed_pushes_total',
  /** A `resume`: read the history, write the replay, answer `resumed`. */
  replayDuration: 'wsgw_replay_duration_seconds',
  /** Streams holding history, pushes held and their bytes: this node's (memory bus) or the broker's for the prefix. */
  historyStreams: 'wsgw_history_streams',
  historyMessages: 'wsgw_history_messages',
  historyBytes: 'wsgw_history_bytes',
  /** label `change`: `TAG_CHANGE_KINDS` (protocol.ts). Tags added to or removed from a connection through the tag API. */
  tagChanges: 'wsgw_tag_changes_total',
} as const;

export type MetricName = (typeof MetricNames)[keyof typeof MetricNames];

/** Bucket bounds shared by the latency histograms, seconds: 0.5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Bucket bounds of the fan-out and frame-handling durations, seconds: 10 µs to 1 s. */
export const DURATION_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** Bucket bounds of the buffered-bytes distribution: empty to past the 1 MiB default limit. */
export const BUFFERED_BYTES_BUCKETS = [0, 1024, 4096, 16384, 65536, 262144, 524288, 1048576, 4194304];
