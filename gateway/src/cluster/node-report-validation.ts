import type { SignalBodyParser } from '../bus/bus.ts';
import type { BufferedConnection, DeliveryRecord, NodeReport, PushTailEntry, TagChangeEntry } from '../protocol.ts';
import { CONSOLE_LATENCY_BOUNDS_MS, MAX_CONNECTION_TAGS } from '../protocol.ts';
import { isRecord } from '../validation.ts';

/**
 * A peer's announcement is stored and shown (console feed, `GET /api/cluster`), so it is rebuilt
 * from the fields a `NodeReport` has, each checked: extra fields are left behind, and a report
 * with a missing or mistyped one is refused whole rather than stored half right.
 */

const INVALID = Symbol('invalid');
type Check<T> = (value: unknown) => T | typeof INVALID;

/** Longest string a report carries (ids, user ids, versions), characters. */
const MAX_TEXT = 1024;
/** Lists a report carries: at most this many entries (the reporter sends 10 at most). */
const MAX_ENTRIES = 50;

const count: Check<number> = (value) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : INVALID);
const instant: Check<number> = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : INVALID);
const text: Check<string> = (value) => (typeof value === 'string' && value.length <= MAX_TEXT ? value : INVALID);
const optionalText: Check<string | undefined> = (value) => (value === undefined ? undefined : text(value));

function shape<T>(fields: { [K in keyof T]-?: Check<T[K]> }): Check<T> {
  return (value) => {
    if (!isRecord(value)) return INVALID;
    const source = value;
    const built: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(fields) as Array<[string, Check<unknown>]>) {
      const field = check(source[key]);
      if (field === INVALID) return INVALID;
      if (field !== undefined) built[key] = field;
    }
    return built as T;
  };
}

function list<T>(item: Check<T>, length: { max: number } | { exactly: number }): Check<T[]> {
  return (value) => {
    if (!Array.isArray(value)) return INVALID;
    if ('max' in length ? value.length > length.max : value.length !== length.exactly) return INVALID;
    const built: T[] = [];
    for (const entry of value) {
      const checked = item(entry);
      if (checked === INVALID) return INVALID;
      built.push(checked);
    }
    return built;
  };
}

const bufferedConnection = shape<BufferedConnection>({ id: text, user: text, node: text, bufferedAmount: count, connectedAt: instant });
const tailEntry = shape<PushTailEntry>({ id: text, target: text, recipients: count, fanoutMs: count, node: text, at: instant });
const tagChangeEntry = shape<TagChangeEntry>({
  connection: text,
  user: text,
  added: list(text, { max: MAX_CONNECTION_TAGS }),
  removed: list(text, { max: MAX_CONNECTION_TAGS }),
  node: text,
  at: instant,
});
const tagChanges = list(tagChangeEntry, { max: MAX_ENTRIES });
/** A node that predates tag changes reports none rather than being refused. */
const recentTagChanges: Check<TagChangeEntry[]> = (value) => (value === undefined ? [] : tagChanges(value));
const deliveryRecord = shape<DeliveryRecord>({
  push: text,
  traceId: optionalText,
  user: text,
  connection: text,
  node: text,
  accepted: instant,
  published: instant,
  fanoutStarted: instant,
  written: instant,
  acked: instant,
  latencyMs: count,
});

const nodeReport = shape<NodeReport>({
  node: text,
  version: text,
  connections: count,
  users: count,
  pushesPerSec: count,
  deliveriesPerSec: count,
  acksPerSec: count,
  dropsPerSec: shape<NodeReport['dropsPerSec']>({ slow_consumer: count, closed: count }),
  uptime: count,
  eventLoopLagMs: shape<NodeReport['eventLoopLagMs']>({ p50: count, p99: count, max: count }),
  memory: shape<NodeReport['memory']>({ rss: count, heapUsed: count }),
  latencyCounts: list(count, { exactly: CONSOLE_LATENCY_BOUNDS_MS.length + 1 }),
  mostBuffered: list(bufferedConnection, { max: MAX_ENTRIES }),
  recentPushes: list(tailEntry, { max: MAX_ENTRIES }),
  slowDeliveries: list(deliveryRecord, { max: MAX_ENTRIES }),
  recentTagChanges,
  at: instant,
});

/** The body of an `announce` signal. */
export const parseNodeReport: SignalBodyParser<NodeReport> = (body) => {
  const report = nodeReport(body);
  return report === INVALID ? { ok: false, error: 'not a node report' } : { ok: true, value: report };
};
