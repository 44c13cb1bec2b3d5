import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { MetricNames } from '@wsgw/gateway/metric-names';
import { describe, expect, it } from 'vitest';
import { PROMETHEUS } from './common.ts';
import { dashboards, DASHBOARDS_DIR, renderDashboard } from './dashboard-files.ts';
import { dashboardPanels, panelQueries } from './testing/dashboard-queries.ts';

const built = dashboards.map(({ file, build }) => ({ file, dashboard: build() }));

/** Panels that share a grid cell would be drawn on top of each other. */
function overlaps(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** What a reviewer wants to see change: each panel's place, kind, title and queries. */
function outline(dashboard: Dashboard): string {
  return (dashboard.panels ?? [])
    .map((panel) => {
      const { x, y, w, h } = panel.gridPos!;
      const head = `#${panel.id} ${panel.type} "${panel.title}" at ${x},${y} ${w}x${h}`;
      const targets = ('targets' in panel ? (panel.targets ?? []) : []) as unknown as Array<{ refId: string; expr: string; exemplar?: boolean }>;
      return [head, ...targets.map((t) => `  ${t.refId}${t.exemplar ? ' (exemplars)' : ''}: ${t.expr}`)].join('\n');
    })
    .join('\n');
}

describe.each(built)('$file', ({ dashboard }) => {
  it('has the datasource and node variables', () => {
    const variables = dashboard.templating.list ?? [];
    expect(variables.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variables.find((v) => v.name === 'instance')).toMatchObject({ type: 'query', includeAll: true, multi: true });
  });

  it('gives every panel a datasource, a unique id and its own place on the grid', () => {
    const all = dashboard.panels ?? [];
    expect(new Set(all.map((panel) => panel.id)).size).toBe(all.length);
    for (const panel of dashboardPanels(dashboard)) expect(panel.datasource, panel.title).toEqual(PROMETHEUS);
    for (const [i, panel] of all.entries()) {
      const pos = panel.gridPos!;
      expect(pos.w).toBeGreaterThan(0);
      expect(pos.h).toBeGreaterThan(0);
      expect(pos.x + pos.w, panel.title).toBeLessThanOrEqual(24);
      for (const other of all.slice(i + 1)) expect(overlaps(pos, other.gridPos!), `${panel.title} / ${other.title}`).toBe(false);
    }
  });

  it('gives every target a refId unique in its panel, and every selector the node filter', () => {
    for (const panel of dashboardPanels(dashboard)) {
      const targets = (panel.targets ?? []) as Array<{ refId?: string; datasource?: unknown }>;
      expect(targets.length, panel.title).toBeGreaterThan(0);
      expect(targets.every((t) => /^[A-Z]$/.test(t.refId ?? ''))).toBe(true);
      expect(new Set(targets.map((t) => t.refId)).size).toBe(targets.length);
      for (const target of targets) expect(target.datasource).toEqual(PROMETHEUS);
    }
    for (const { expr } of panelQueries(dashboard)) {
      const selectors = expr.match(/\b(wsgw|nodejs|process)_\w*\{[^}]*\}/g) ?? [];
      expect(selectors.length, expr).toBeGreaterThan(0);
      for (const selector of selectors) expect(selector, expr).toContain('instance=~"$instance"');
    }
  });

  it('matches the outline snapshot', () => {
    expect(outline(dashboard)).toMatchSnapshot();
  });
});

describe('generated files', () => {
  it('are the committed ones: run `npm run dashboards` after changing a panel', async () => {
    for (const { file, dashboard } of built) {
      const committed = await readFile(join(DASHBOARDS_DIR, file), 'utf8').catch(() => '(missing)');
      expect(committed, `${file} is stale: run npm run dashboards`).toBe(renderDashboard(dashboard));
    }
    const onDisk = (await readdir(DASHBOARDS_DIR)).filter((name) => name.endsWith('.json')).sort();
    expect(onDisk, 'a dashboard file no generator writes').toEqual(built.map(({ file }) => file).sort());
  });

  it('put exemplars on the gateway latency heatmaps, which link to traces', () => {
    const exemplarQueries = built.flatMap(({ dashboard }) => panelQueries(dashboard)).filter((q) => q.exemplar);
    expect(exemplarQueries.length).toBeGreaterThan(0);
    for (const query of exemplarQueries) expect(query.expr).toMatch(new RegExp(`${MetricNames.pushToWrite}_bucket|${MetricNames.pushToAck}_bucket`));
  });
});
