import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from './html-report.ts';
import { PLOT_NAMES } from './report-plots.ts';
import type { RunReport } from './run-report.ts';
import { emptyRunReport, sampleProgressiveReport, sampleRunReport } from './sample-run-reports.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';
const ATTRIBUTE_BREAKER = '" onmouseover="alert(2)';

/** The `<svg>` element carrying `data-plot="<name>"`, or undefined. */
const plotSvg = (html: string, name: string): string | undefined =>
  new RegExp(`<svg[^>]*data-plot="${name}"[^>]*>[\\s\\S]*?</svg>`).exec(html)?.[0];

/** Drawn data: a series path or a histogram bar (axes and grid use lines, not these). */
const hasData = (svg: string): boolean => /<path class="series" d="M/.test(svg) || /<rect class="bar"/.test(svg);

const VOID_ELEMENTS = new Set(['meta', 'link', 'br', 'hr', 'img', 'input', 'col', 'wbr', 'source', 'area', 'base']);

/** Checks that every non-void element is closed in order; returns the first problem, if any. */
const unbalancedTag = (html: string): string | undefined => {
  const stack: string[] = [];
  for (const [, closing, rawName, selfClosing] of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?(\/?)>/g)) {
    const name = (rawName ?? '').toLowerCase();
    if (VOID_ELEMENTS.has(name) || selfClosing) continue;
    if (!closing) stack.push(name);
    else if (stack.pop() !== name) return `unexpected </${name}>`;
  }
  return stack.length > 0 ? `unclosed <${stack.join('>, <')}>` : undefined;
};

const count = (html: string, pattern: RegExp): number => html.match(pattern)?.length ?? 0;

/** A report whose every free-text field is hostile markup. */
const hostileReport = (): RunReport => {
  const report = sampleRunReport();
  return {
    ...report,
    scenario: HOSTILE,
    target: `http://gw${ATTRIBUTE_BREAKER}`,
    parameters: { [HOSTILE]: HOSTILE, note: ATTRIBUTE_BREAKER },
    connections: { ...report.connections, failedByReason: { [HOSTILE]: 3 } },
    errors: [{ kind: HOSTILE, message: `push failed: ${HOSTILE} ${ATTRIBUTE_BREAKER}`, count: 1 }],
    thresholds: [{ expression: `p99<50ms${HOSTILE}`, passed: false, actual: 12 }],
  };
};

describe('renderHtmlReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'html-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders a complete document with the four plots, each with data', () => {
    const html = renderHtmlReport(sampleRunReport());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    for (const name of PLOT_NAMES) {
      const svg = plotSvg(html, name);
      expect(svg, name).toBeDefined();
      expect(hasData(svg ?? ''), `${name} has drawn data`).toBe(true);
      expect(svg).toMatch(/<title>[^<]+<\/title>/);
      expect(svg).toMatch(/class="tick"/);
      expect(svg).toMatch(/class="axis-label"[^>]*>[^<]*\((?:ms|s)\b/);
    }
  });

  it('shows the summary tables with their values', () => {
    const report = sampleRunReport();
    const html = renderHtmlReport(report);
    expect(html).toContain('<h1>fanout-broadcast</h1>');
    expect(html).toContain('http://127.0.0.1:8080');
    expect(html).toContain('2025-03-14 09:30:00 UTC');
    expect(html).toContain('2m 00s');
    for (const label of ['attempted', 'succeeded', 'failed', 'http 503', 'pushes sent', 'push errors', 'deliveries expected',
      'deliveries received', 'lost', 'duplicates', 'out of order', 'acks sent', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean']) {
      expect(html, label).toContain(`<th scope="row">${label}</th>`);
    }
    expect(html).toContain(report.messages.pushesSent.toLocaleString('en-US'));
    expect(html).toContain('<code>p99&lt;50ms</code></th><td>15.3 ms</td>');
    expect(html).toContain('timeout after 5000 ms waiting for welcome');
  });

  it('works offline: no scripts, no external resources', () => {
    const html = renderHtmlReport(sampleProgressiveReport(2));
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    // Belt and braces: the page itself forbids loading anything.
    expect(html).toContain(`http-equiv="Content-Security-Policy" content="default-src 'none'`);
  });

  it('escapes every string that comes from the report', () => {
    const html = renderHtmlReport(hostileReport());
    expect(html).not.toContain('<img');
    expect(html).not.toContain(ATTRIBUTE_BREAKER);
    expect(html).toContain('<h1>&lt;img src=x onerror=alert(1)&gt;</h1>');
    expect(html).toContain('push failed: &lt;img src=x onerror=alert(1)&gt; &quot; onmouseover=&quot;alert(2)');
    expect(unbalancedTag(html)).toBeUndefined();
  });

  it('shows PASS, FAIL or no badge from the thresholds', () => {
    const report = sampleRunReport();
    const passing = report.thresholds.map((t) => ({ ...t, passed: true }));
    const failing = [...passing, { expression: 'loss=0', passed: false, actual: 4 }];
    const header = (r: RunReport): string => /<header[\s\S]*?<\/header>/.exec(renderHtmlReport(r))?.[0] ?? '';
    expect(header({ ...report, thresholds: passing })).toContain('badge-pass">PASS<');
    expect(header({ ...report, thresholds: failing })).toContain('badge-fail">FAIL<');
    expect(header({ ...report, thresholds: [] })).not.toContain('badge');
  });

  it('renders an empty run without NaN, with "no data" plots', () => {
    const html = renderHtmlReport(emptyRunReport());
    expect(html).not.toMatch(/NaN|Infinity/);
    for (const name of PLOT_NAMES) expect(plotSvg(html, name), name).toContain('no data');
    expect(html).not.toContain('class="badge');
  });

  it('survives degenerate data: one point, all zeros, NaN and gaps', () => {
    const base = emptyRunReport();
    const zeros = { connections: 0, sentPerSec: 0, receivedPerSec: 0, p50Ms: 0, p99Ms: 0 };
    const cases: RunReport[] = [
      { ...base, timeline: [{ t: 1, ...zeros }], latencyHistogram: [{ upperMs: 0, count: 5 }] },
      { ...base, timeline: [{ t: 1, ...zeros }, { t: 2, ...zeros }], latencyHistogram: [{ upperMs: 1, count: 0 }] },
      {
        ...base,
        latencyMs: { ...base.latencyMs, p50: Number.POSITIVE_INFINITY },
        timeline: [
          { t: Number.NaN, connections: 1, sentPerSec: 1, receivedPerSec: 1 },
          { t: 2, connections: Number.NaN, sentPerSec: Number.POSITIVE_INFINITY, receivedPerSec: 3, p50Ms: Number.NaN },
          { t: 3, connections: 4, sentPerSec: 5, receivedPerSec: 6, p50Ms: 7, p99Ms: 8 },
        ],
        latencyHistogram: [{ upperMs: Number.NaN, count: 3 }, { upperMs: 2, count: Number.NaN }, { upperMs: 4, count: 9 }],
        timelineIntervalMs: Number.NaN,
        durationMs: Number.NaN,
      },
    ];
    for (const report of cases) {
      const html = renderHtmlReport(report);
      expect(html).not.toMatch(/NaN|Infinity/);
      expect(unbalancedTag(html)).toBeUndefined();
    }
    const single = renderHtmlReport(cases[0] ?? base);
    expect(plotSvg(single, 'connections-over-time')).toMatch(/<circle class="point"/);
    expect(plotSvg(single, 'latency-histogram')).toMatch(/<rect class="bar"/);
  });

  it('renders a progressive run as the combined summary, then one section per phase', () => {
    const report = sampleProgressiveReport(2);
    const html = renderHtmlReport(report);
    const summaryAt = html.indexOf('data-phase="all"');
    expect(summaryAt).toBeGreaterThan(0);
    for (const n of [1, 2]) {
      const sectionAt = html.indexOf(`<section class="run phase" id="phase-${n}" data-phase="${n}">`);
      expect(sectionAt, `phase ${n}`).toBeGreaterThan(summaryAt);
      expect(html).toContain(`href="#phase-${n}"`);
      for (const name of PLOT_NAMES) expect(hasData(plotSvg(html, `phase-${n}-${name}`) ?? ''), `phase ${n} ${name}`).toBe(true);
    }
    expect(html).toContain('Phase 2 of 2: fanout-step');
    // 4 combined plots plus 4 per phase, and every data-plot value unique.
    const plots = [...html.matchAll(/data-plot="([^"]+)"/g)].map((m) => m[1]);
    expect(plots).toHaveLength(12);
    expect(new Set(plots).size).toBe(12);
  });

  it('writes a file that reads back as balanced HTML', () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtmlReport(sampleProgressiveReport(3)));
    const html = readFileSync(file, 'utf8');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(count(html, /<svg\b/g)).toBe(16);
    expect(count(html, /<\/svg>/g)).toBe(16);
    expect(count(html, /<section\b/g)).toBe(count(html, /<\/section>/g));
    expect(count(html, /<table>/g)).toBe(count(html, /<\/table>/g));
    expect(unbalancedTag(html)).toBeUndefined();
    expect(html).not.toMatch(/="[^"]*(?:NaN|Infinity)/);
  });
});
