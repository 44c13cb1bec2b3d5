/**
 * A gateway's garbage-collection pauses over a stretch of a bench, read from its own Prometheus
 * metrics (prom-client's `nodejs_gc_duration_seconds`, by kind). A tail percentile on a shared
 * machine is mostly the machine's; the pauses are the server's own, so where two servers differ
 * only in what they retain (the push inspector on or off) the count and length of their major
 * pauses say whether that retention can reach the tail at all.
 */

/** Pauses of one kind (`major`, `minor`, `incremental`, `weakcb`): how many, and their total length. */
export interface GcPauseTotal {
  count: number;
  ms: number;
}

export type GcPauses = Record<string, GcPauseTotal>;

const SERIES = /^nodejs_gc_duration_seconds_(sum|count)\{([^}]*)\}\s+(\S+)/;
const KIND = /(?:^|,)kind="([^"]*)"/;

/** The totals by kind in a Prometheus text exposition; kinds it does not list are absent. */
export const parseGcPauses = (exposition: string): GcPauses => {
  const pauses: GcPauses = {};
  for (const line of exposition.split('\n')) {
    const series = SERIES.exec(line);
    const kind = series && KIND.exec(series[2]!)?.[1];
    if (!series || kind === undefined || kind === null) continue;
    const value = Number(series[3]);
    if (!Number.isFinite(value)) continue;
    const total = (pauses[kind] ??= { count: 0, ms: 0 });
    if (series[1] === 'sum') total.ms = value * 1000;
    else total.count = value;
  }
  return pauses;
};

/** What accrued from `before` to `after`, kind by kind. */
export const gcPausesBetween = (before: GcPauses, after: GcPauses): GcPauses =>
  Object.fromEntries(Object.entries(after).map(([kind, total]) => [kind, { count: total.count - (before[kind]?.count ?? 0), ms: total.ms - (before[kind]?.ms ?? 0) }]));

/**
 * The totals so far of the server at `baseUrl`, or undefined where it serves no such metrics (a
 * peer, or the gateway with metrics off): the bench reports them where it can and goes on.
 */
export const readGcPauses = async (baseUrl: string, timeoutMs: number): Promise<GcPauses | undefined> => {
  try {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    const pauses = parseGcPauses(await response.text());
    return Object.keys(pauses).length > 0 ? pauses : undefined;
  } catch {
    return undefined;
  }
};

/** `major 3 (41 ms), minor 812 (1.2 s)`, the kinds that occurred, major first. */
export const formatGcPauses = (pauses: GcPauses | undefined): string => {
  if (pauses === undefined) return 'not reported';
  const order = ['major', 'incremental', 'minor', 'weakcb'];
  const kinds = Object.keys(pauses).sort((x, y) => (order.indexOf(x) + 1 || 99) - (order.indexOf(y) + 1 || 99));
  const length = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
  const parts = kinds.filter((kind) => pauses[kind]!.count > 0).map((kind) => `${kind} ${pauses[kind]!.count} (${length(pauses[kind]!.ms)})`);
  return parts.length > 0 ? parts.join(', ') : 'none';
};
