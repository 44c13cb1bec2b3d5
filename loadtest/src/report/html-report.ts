/**
 * The HTML report: one self-contained document for people who would rather look than read.
 * Everything is inline (styles, SVG charts) and a Content-Security-Policy forbids the page from
 * loading anything, so the file opens offline and a hostile string in the report cannot reach out
 * even if it slipped past escaping.
 */

import type { RunReport } from './run-report.ts';
import { escapeHtml } from './html-escape.ts';
import { renderHeadlineTiles } from './headline-tiles.ts';
import { phaseAnchor, renderPhaseOverview } from './phase-overview.ts';
import {
  renderErrorsTable,
  renderParametersTable,
  renderThresholdsTable,
  renderVerdictBadge,
  thresholdVerdict,
} from './report-checks.ts';
import { formatDuration, formatTimestamp } from './report-format.ts';
import { renderReportPlots } from './report-plots.ts';
import { REPORT_CSS } from './report-styles.ts';
import { renderConnectionsTables, renderLatencyTable, renderMessagesTable } from './report-tables.ts';

// Inline styles and nothing else: no scripts, no fetches, no external anything.
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

// A short error list fits a grid cell; a long one reads better at full width.
const WIDE_ERRORS_FROM = 4;

const card = (title: string, content: string, wide = false): string =>
  `<div class="card${wide ? ' card-wide' : ''}"><h3>${escapeHtml(title)}</h3>${content}</div>`;

/** Tiles, tables and plots of one run; shared by the whole run and each of its phases. */
const renderRunBody = (report: RunReport, plotPrefix: string): string =>
  renderHeadlineTiles(report) +
  '<div class="cards">' +
  card('Connections', renderConnectionsTables(report)) +
  card('Messages', renderMessagesTable(report)) +
  card('Delivery latency (push → frame)', renderLatencyTable(report)) +
  card('Thresholds', renderThresholdsTable(report.thresholds)) +
  card('Parameters', renderParametersTable(report.parameters)) +
  card('Errors', renderErrorsTable(report.errors), report.errors.length > WIDE_ERRORS_FROM) +
  '</div>' +
  renderReportPlots(report, plotPrefix);

const renderMeta = (report: RunReport): string => {
  const items: Array<[string, string]> = [
    ['target', report.target],
    ['started', formatTimestamp(report.startedAt)],
    ['duration', formatDuration(report.durationMs)],
    ['sampled every', formatDuration(report.timelineIntervalMs)],
  ];
  if (report.phases) items.push(['phases', String(report.phases.length)]);
  const entries = items.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`);
  return `<dl class="meta">${entries.join('')}</dl>`;
};

const renderHeader = (report: RunReport): string =>
  '<header class="report-header"><div class="tool">wsgw-load report</div>' +
  `<div class="title-row"><h1>${escapeHtml(report.scenario)}</h1>` +
  `${renderVerdictBadge(thresholdVerdict(report.thresholds))}</div>${renderMeta(report)}</header>`;

const renderPhase = (phase: RunReport, index: number, total: number): string => {
  const n = index + 1;
  const title =
    `<h2>Phase ${n} of ${total}: ${escapeHtml(phase.scenario)} ` +
    `<span class="phase-duration">${escapeHtml(formatDuration(phase.durationMs))}</span>` +
    `${renderVerdictBadge(thresholdVerdict(phase.thresholds))}</h2>`;
  return (
    `<section class="run phase" id="${phaseAnchor(n)}" data-phase="${n}">` +
    `${title}${renderRunBody(phase, `phase-${n}-`)}</section>`
  );
};

/**
 * Renders `report` as a standalone HTML document. Progressive runs (with `phases`) show the
 * combined summary first, then one section per phase with its own tables and plots; plot names
 * inside a phase are prefixed `phase-<n>-`.
 */
export const renderHtmlReport = (report: RunReport): string => {
  const phases = report.phases ?? [];
  const verdict = thresholdVerdict(report.thresholds);
  const pageTitle = `wsgw-load: ${report.scenario}${verdict ? ` (${verdict.toUpperCase()})` : ''}`;
  const overview =
    phases.length > 0
      ? `<div class="card card-wide"><h3>Phases</h3>${renderPhaseOverview(phases)}</div>`
      : '';
  const summaryTitle = phases.length > 0 ? '<h2>All phases combined</h2>' : '';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    `<title>${escapeHtml(pageTitle)}</title>`,
    `<style>${REPORT_CSS}</style></head><body>`,
    renderHeader(report),
    '<main>',
    `<section class="run summary" data-phase="all">${summaryTitle}${overview}${renderRunBody(report, '')}</section>`,
    ...phases.map((phase, i) => renderPhase(phase, i, phases.length)),
    '</main>',
    `<footer>${escapeHtml(`${report.tool} report format v${report.version}`)}</footer>`,
    '</body></html>',
    '',
  ].join('\n');
};
