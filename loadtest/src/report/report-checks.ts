/**
 * Pass/fail and the run's record: the overall verdict from the thresholds, the thresholds with
 * their measured values, the errors seen, and the parameters the scenario ran with.
 */

import type { RunReport, ThresholdResult } from './run-report.ts';
import { escapeHtml } from './html-escape.ts';
import { renderEmptyNote, renderTable } from './html-table.ts';
import { formatCount, formatMeasured } from './report-format.ts';

export type Verdict = 'pass' | 'fail';

/** PASS when every threshold held, FAIL when any broke, undefined when none were set. */
export const thresholdVerdict = (thresholds: readonly ThresholdResult[]): Verdict | undefined => {
  if (thresholds.length === 0) return undefined;
  return thresholds.every((t) => t.passed) ? 'pass' : 'fail';
};

/** The PASS/FAIL pill; empty when there is no verdict. */
export const renderVerdictBadge = (verdict: Verdict | undefined): string =>
  verdict === undefined ? '' : `<span class="badge badge-${verdict}">${verdict.toUpperCase()}</span>`;

/** Units whose meaning for `actual` is unambiguous. */
const SHOWN_UNITS = new Set(['ms', '%']);

/**
 * The unit to print after `actual` for an expression (`p99<50ms` → `ms`, `success>99%` → `%`).
 * Other suffixes (such as `s`) print no unit: whether `actual` was converted is not recorded, and
 * a bare number is better than a wrong label.
 */
export const expressionUnit = (expression: string): string => {
  const unit = /\d\s*([a-z%]+)\s*$/i.exec(expression)?.[1]?.toLowerCase() ?? '';
  return SHOWN_UNITS.has(unit) ? unit : '';
};

/** Each threshold with its measured value and a per-row badge. */
export const renderThresholdsTable = (thresholds: readonly ThresholdResult[]): string => {
  if (thresholds.length === 0) return renderEmptyNote('No thresholds were set for this run.');
  return renderTable(
    thresholds.map((t) => {
      const unit = expressionUnit(t.expression);
      const actual = formatMeasured(t.actual);
      return {
        cells: [
          { html: `<code>${escapeHtml(t.expression)}</code>` },
          unit && Number.isFinite(t.actual) ? `${actual} ${unit}` : actual,
          { html: renderVerdictBadge(t.passed ? 'pass' : 'fail') },
        ],
        className: t.passed ? undefined : 'bad',
      };
    }),
    ['threshold', 'actual', 'result'],
  );
};

/** Errors, most frequent first. */
export const renderErrorsTable = (errors: RunReport['errors']): string => {
  if (errors.length === 0) return renderEmptyNote('No errors.');
  const sorted = [...errors].sort((a, b) => b.count - a.count);
  return renderTable(
    sorted.map((e) => ({
      cells: [e.kind, { html: `<span class="error-message">${escapeHtml(e.message)}</span>` }, formatCount(e.count)],
    })),
    ['kind', 'message', 'count'],
  );
};

/** The scenario's effective parameters, in the order the scenario declared them. */
export const renderParametersTable = (parameters: RunReport['parameters']): string => {
  const entries = Object.entries(parameters);
  if (entries.length === 0) return renderEmptyNote('No parameters recorded.');
  return renderTable(entries.map(([name, value]) => ({ cells: [name, String(value)] })));
};
