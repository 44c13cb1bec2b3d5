/**
 * Table markup for the report. Cells are escaped here, in one place, so that table builders can
 * pass report strings straight through; only cells explicitly marked as `html` skip escaping, and
 * those are built by the report code itself (badges, links).
 */

import { escapeHtml } from './html-escape.ts';

/** Markup produced by the report code, never by report data. */
export interface TrustedHtml {
  html: string;
}

export type Cell = string | TrustedHtml;

export interface Row {
  cells: readonly Cell[];
  /** CSS class for the row, e.g. `bad` to flag a non-zero loss count. */
  className?: string;
}

const cellHtml = (cell: Cell): string => (typeof cell === 'string' ? escapeHtml(cell) : cell.html);

const classAttr = (className: string | undefined): string =>
  className ? ` class="${escapeHtml(className)}"` : '';

/** A table whose first column is a row header; `headers` adds a header row when given. */
export const renderTable = (rows: readonly Row[], headers?: readonly string[]): string => {
  const head = headers ? `<thead><tr>${headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>` : '';
  const body = rows
    .map(({ cells, className }) => {
      const [first, ...rest] = cells;
      const header = first === undefined ? '' : `<th scope="row">${cellHtml(first)}</th>`;
      return `<tr${classAttr(className)}>${header}${rest.map((c) => `<td>${cellHtml(c)}</td>`).join('')}</tr>`;
    })
    .join('');
  return `<table>${head}<tbody>${body}</tbody></table>`;
};

/** A short sentence standing in for a table with no rows. */
export const renderEmptyNote = (text: string): string => `<p class="empty-note">${escapeHtml(text)}</p>`;
