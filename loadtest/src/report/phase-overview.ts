/**
 * The step-by-step view of a progressive run: one row per phase, so the phase where latency or
 * loss turns is visible at a glance before reading each phase's own section.
 */

import type { RunReport } from './run-report.ts';
import { renderTable } from './html-table.ts';
import { renderVerdictBadge, thresholdVerdict } from './report-checks.ts';
import { formatCount, formatDuration, formatMs, formatPercent } from './report-format.ts';

/** The in-page anchor of a phase's section; phases are numbered from 1. */
export const phaseAnchor = (phaseNumber: number): string => `phase-${phaseNumber}`;

/** One row per phase, linking to its section. */
export const renderPhaseOverview = (phases: readonly RunReport[]): string =>
  renderTable(
    phases.map((phase, i) => {
      const m = phase.messages;
      return {
        cells: [
          { html: `<a href="#${phaseAnchor(i + 1)}">Phase ${i + 1}</a>` },
          phase.scenario,
          formatDuration(phase.durationMs),
          formatCount(phase.connections.succeeded),
          formatCount(m.pushesSent),
          formatPercent(m.deliveriesReceived, m.deliveriesExpected),
          formatCount(m.lost),
          formatMs(phase.latencyMs.p50),
          formatMs(phase.latencyMs.p99),
          { html: renderVerdictBadge(thresholdVerdict(phase.thresholds)) },
        ],
        className: m.lost > 0 || thresholdVerdict(phase.thresholds) === 'fail' ? 'bad' : undefined,
      };
    }),
    ['phase', 'scenario', 'duration', 'connected', 'pushes', 'delivered', 'lost', 'p50', 'p99', 'result'],
  );
