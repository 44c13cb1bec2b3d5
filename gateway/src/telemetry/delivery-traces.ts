import { ACK_TIMING_WINDOW_MS } from '../hub/recent-pushes.ts';
import { createAgedEntries } from '../limits/aged-entries.ts';
import { epochMs } from './clock.ts';

/**
 * The spans a push's acks are parented on, on this node: its fan-out and its delivery spans, by
 * span id (the trace id is the push's). Every traced push's entry is kept for the ack window, so it
 * is kept small: two short strings and, for the few deliveries that got a span, one flat array.
 */
export interface RecordedSpans {
  /** Span id of this node's fan-out span. */
  readonly fanout: string;
  /** Connection id and delivery span id, in pairs (only the deliveries that got a span). */
  readonly deliveries: readonly string[] | undefined;
}

/** The delivery span id recorded for `connectionId`, if its delivery got one. */
export function deliverySpanOf(spans: RecordedSpans, connectionId: string): string | undefined {
  const pairs = spans.deliveries;
  if (!pairs) return undefined;
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === connectionId) return pairs[i + 1];
  return undefined;
}

/**
 * The trace observer's memory of the spans it recorded per push, so a client's ack (which carries
 * only the push id) can be parented on the delivery it acknowledges. Bounded in count and in age:
 * the oldest entries go first, and an entry older than `maxAgeMs` is forgotten.
 */
export interface DeliveryTraces {
  /** Keeps the push's spans; the first recorded for an id stays (as the hub remembers its first timing). */
  remember(pushId: string, spans: RecordedSpans): void;
  get(pushId: string): RecordedSpans | undefined;
}

export interface DeliveryTracesOptions {
  /** Pushes remembered at most (default 100,000, as many as the hub remembers timings for). */
  capacity?: number;
  /** How long a push's spans are kept, ms (default: as long as the hub times its acks). */
  maxAgeMs?: number;
}

export function createDeliveryTraces(options: DeliveryTracesOptions = {}): DeliveryTraces {
  const entries = createAgedEntries<RecordedSpans & { readonly at: number }>({
    capacity: options.capacity ?? 100_000,
    maxAgeMs: options.maxAgeMs ?? ACK_TIMING_WINDOW_MS,
    ageOf: (entry) => entry.at,
  });
  return {
    remember(pushId, spans) {
      const now = epochMs();
      entries.remember(pushId, { fanout: spans.fanout, deliveries: spans.deliveries, at: now }, now);
    },
    get: (pushId) => entries.get(pushId, epochMs()),
  };
}
