/**
 * Scales and tick positions for the report's SVG charts. A scale maps a data value to a pixel
 * coordinate; every scale here is total: it never returns NaN, whatever the data, because one NaN
 * in a `d` attribute makes the browser drop the whole path.
 */

export interface Scale {
  /** Data value → pixel. Non-finite input maps to the start of the range. */
  map: (value: number) => number;
  /** The data interval actually shown, after widening degenerate domains. */
  domain: readonly [number, number];
  /** Data values worth a tick and a grid line, inside the domain. */
  ticks: readonly number[];
}

/** Widens an empty or inverted interval so there is always something to divide by. */
const widen = (min: number, max: number): [number, number] => {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max > min) return [min, max];
  // A single value: show it in the middle of a unit-wide window (or from zero when it is zero).
  return min === 0 ? [0, 1] : [min - Math.abs(min) / 2, max + Math.abs(max) / 2];
};

/** The round step (1, 2 or 5 times a power of ten) that gives about `count` intervals. */
const niceStep = (span: number, count: number): number => {
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const multiple = [1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10;
  return multiple * magnitude;
};

/** Round tick values covering [min, max], about `count` of them. */
export const linearTicks = (min: number, max: number, count = 5): number[] => {
  const [lo, hi] = widen(min, max);
  const step = niceStep(hi - lo, count);
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    // Repeated addition drifts (0.30000000000000004); snapping keeps labels clean.
    ticks.push(Number((Math.round(v / step) * step).toPrecision(12)));
  }
  return ticks;
};

/** Rounds `max` up to the next tick so the top grid line frames the data. */
export const niceCeiling = (max: number, count = 5): number => {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const step = niceStep(max, count);
  return Math.ceil(max / step - 1e-9) * step;
};

/**
 * A linear scale from `[min, max]` onto `[from, to]` (pixels; `to < from` flips the axis).
 * With `nice`, the domain is widened to whole half-tick steps, so the axis starts on a round value
 * without leaving much empty room at the end.
 */
export const linearScale = (min: number, max: number, from: number, to: number, tickCount = 5, nice = false): Scale => {
  const [rawLo, rawHi] = widen(min, max);
  const step = niceStep(rawHi - rawLo, tickCount * 2);
  const [lo, hi] = nice ? [Math.floor(rawLo / step) * step, Math.ceil(rawHi / step) * step] : [rawLo, rawHi];
  const map = (value: number): number =>
    Number.isFinite(value) ? from + ((value - lo) / (hi - lo)) * (to - from) : from;
  return { map, domain: [lo, hi], ticks: linearTicks(lo, hi, tickCount) };
};

/**
 * Ticks for a log axis: every power of ten, plus 2× and 5× when the domain spans few decades
 * (otherwise the labels would collide).
 */
export const logTicks = (min: number, max: number): number[] => {
  const first = Math.floor(Math.log10(min));
  const last = Math.ceil(Math.log10(max));
  const multiples = last - first <= 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let exp = first; exp <= last; exp++) {
    for (const m of multiples) {
      const v = Number((m * 10 ** exp).toPrecision(12));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
};

/** A log10 scale; the domain must be positive, anything else falls back to [1, 10]. */
export const logScale = (min: number, max: number, from: number, to: number): Scale => {
  const valid = Number.isFinite(min) && Number.isFinite(max) && min > 0 && max > min;
  const [lo, hi] = valid ? [min, max] : [1, 10];
  const logLo = Math.log10(lo);
  const logSpan = Math.log10(hi) - logLo;
  const map = (value: number): number =>
    Number.isFinite(value) && value > 0 ? from + ((Math.log10(value) - logLo) / logSpan) * (to - from) : from;
  return { map, domain: [lo, hi], ticks: logTicks(lo, hi) };
};

/** The smallest and largest of `values` (spread-free, so long timelines cannot overflow the stack). */
export const extent = (values: readonly number[]): [number, number] =>
  values.reduce<[number, number]>(
    ([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)],
    [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
  );
