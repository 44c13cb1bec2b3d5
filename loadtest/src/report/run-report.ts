/**
 * The result of one load-test run, as written by `--out report.json` and read by the HTML report.
 * Times are milliseconds unless a name says otherwise.
 */

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  count: number;
}

/** One bucket of a latency distribution: `count` samples at or below `upperMs` (and above the previous). */
export interface HistogramBucket {
  upperMs: number;
  count: number;
}

/** One point of the run's timeline, sampled every `timelineIntervalMs`. */
export interface TimelinePoint {
  /** Seconds since the run started. */
  t: number;
  /** Open connections at that instant. */
  connections: number;
  /** Pushes sent through the API per second over the last interval. */
  sentPerSec: number;
  /** Push frames received by clients per second over the last interval. */
  receivedPerSec: number;
  /** Latency percentiles of the deliveries received during the last interval (undefined when none). */
  p50Ms?: number;
  p99Ms?: number;
}

export interface ThresholdResult {
  /** The expression as given, e.g. `p99<50ms`. */
  expression: string;
  passed: boolean;
  /** The measured value, in the metric's base unit: ms for latencies (also when the expression
   *  says `s`), % for rates, a count otherwise. NaN (null in JSON) when nothing was measured. */
  actual: number;
}

export interface RunReport {
  tool: 'wsgw-load';
  version: 1;
  scenario: string;
  /** Gateway base URL, e.g. http://127.0.0.1:8080. */
  target: string;
  /** ISO timestamp. */
  startedAt: string;
  durationMs: number;
  /** The scenario's effective parameters (after flags), for the record. */
  parameters: Record<string, string | number | boolean>;
  connections: {
    attempted: number;
    succeeded: number;
    failed: number;
    /** e.g. { "http 401": 3, "timeout": 1 } */
    failedByReason: Record<string, number>;
    /** Time from starting the handshake to the welcome frame. */
    connectMs: Percentiles;
  };
  messages: {
    /** Pushes accepted by the push API. */
    pushesSent: number;
    /** Push API calls that failed (non-2xx or network). */
    pushErrors: number;
    /** Deliveries the gateway owed the clients, from the push ids sent to their users. */
    deliveriesExpected: number;
    deliveriesReceived: number;
    /** Expected but never received, counted per connection from push ids. */
    lost: number;
    /** Received more than once on the same connection. */
    duplicates: number;
    /** Received after a later push of the same sender on the same connection. */
    outOfOrder: number;
    acksSent: number;
  };
  /** Push sent → frame received, over every delivery. */
  latencyMs: Percentiles;
  latencyHistogram: HistogramBucket[];
  timeline: TimelinePoint[];
  timelineIntervalMs: number;
  errors: Array<{ kind: string; message: string; count: number }>;
  thresholds: ThresholdResult[];
  /**
   * Where the system stopped keeping up: the plateau of the delivered message rate, and the first
   * handshake that timed out (absent when none did).
   */
  saturation?: {
    plateauPerSec: number;
    plateauAtS: number;
    firstHandshakeTimeoutS?: number;
    connectionsAtFirstTimeout?: number;
  };
  /** Progressive runs: one report per stage, in order (the top level then sums them up). */
  phases?: RunReport[];
}
