/**
 * Human-readable numbers for the HTML report. Every formatter returns a dash for values that are
 * not finite, so an empty run (percentiles of no samples) never prints `NaN` or `Infinity`.
 */

/** Shown in place of a value that does not exist (no samples, division by zero). */
export const MISSING = '—';

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count with thousands separators: `12,345`. */
export const formatCount = (n: number): string => (Number.isFinite(n) ? grouped.format(n) : MISSING);

/** Keeps about three significant digits without switching to exponent notation. */
const trimDigits = (n: number): string => {
  const abs = Math.abs(n);
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1).replace(/\.0$/, '');
  if (abs >= 1) return n.toFixed(2).replace(/\.?0+$/, '');
  return n.toPrecision(2).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
};

/** A latency: `0.42 ms`, `12.3 ms`, `1.25 s`. */
export const formatMs = (ms: number): string => {
  if (!Number.isFinite(ms)) return MISSING;
  if (Math.abs(ms) >= 1000) return `${trimDigits(ms / 1000)} s`;
  return `${trimDigits(ms)} ms`;
};

/** A run length: `850 ms`, `42.5 s`, `3m 05s`, `1h 02m`. */
export const formatDuration = (ms: number): string => {
  if (!Number.isFinite(ms)) return MISSING;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalSeconds = ms / 1000;
  if (totalSeconds < 60) return `${trimDigits(totalSeconds)} s`;
  const seconds = Math.round(totalSeconds);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const pad = (v: number): string => String(v).padStart(2, '0');
  return hours > 0 ? `${hours}h ${pad(minutes)}m` : `${minutes}m ${pad(rest)}s`;
};

/** `part / whole` as a percentage, or a dash when the whole is zero. */
export const formatPercent = (part: number, whole: number): string => {
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole === 0) return MISSING;
  const pct = (part / whole) * 100;
  if (pct === 0 || pct === 100) return `${pct} %`;
  // Loss rates live near 0 % and 100 %; rounding 99.999 % up to "100.00 %" would hide a loss.
  if (pct > 0 && pct < 0.01) return '< 0.01 %';
  if (pct > 99.99 && pct < 100) return '> 99.99 %';
  return `${pct.toFixed(2)} %`;
};

/** A compact axis number: `950`, `1.5k`, `12k`, `2.4M`. */
export const formatCompact = (n: number): string => {
  if (!Number.isFinite(n)) return MISSING;
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${trimDigits(n / 1e6)}M`;
  if (abs >= 1e3) return `${trimDigits(n / 1e3)}k`;
  return trimDigits(n);
};

/** A measured threshold value; numbers only, the unit comes from the expression. */
export const formatMeasured = (n: number): string => (Number.isFinite(n) ? trimDigits(n) : MISSING);

/** The start time as `2025-01-31 14:05:09 UTC`, or the raw string when it does not parse. */
export const formatTimestamp = (iso: string): string => {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
};
