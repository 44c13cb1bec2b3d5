import { randomUUID } from 'node:crypto';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startPrometheus, useTestGateways, type PrometheusServer, type TestGateway } from '@wsgw/gateway/testing';
import { startTracing } from '@wsgw/otel/tracing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { dashboards } from './dashboard-files.ts';
import { interpolate, panelQueries, regexOf, type PanelQuery } from './testing/dashboard-queries.ts';
import { startLoadRun, type LoadRun } from './testing/load-run.ts';
import { startProofTraffic, type ProofTraffic } from './testing/proof-traffic.ts';

// Tracing on in this process, so the gateways' latency histograms carry trace_id exemplars.
const exporter = new InMemorySpanExporter();
const tracing = await startTracing({ spanProcessors: [new SimpleSpanProcessor(exporter)], env: {} });
afterAll(() => tracing.shutdown());
const startTestGateway = useTestGateways();

const NATS = process.env.WSGW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const LOAD_CONNECTIONS = 12;
/** Grafana's interval variables, sized for a 1 s scrape so a window holds several samples within seconds. */
const GRAFANA_INTERVALS = { __rate_interval: '15s', __interval: '1s', __range: '1m' };

/** Two nodes on one NATS bus; b holds fewer connections than the load run opens, so some fail. */
async function startCluster(): Promise<[TestGateway, TestGateway]> {
  const busPrefix = `wsgw-proof-${randomUUID()}`;
  const a = await startTestGateway({ nodeId: 'proof-a', bus: NATS, busPrefix, slowConsumerBytes: 64 * 1024, connectRatePerIp: 10_000 });
  const shared = { apiKey: a.config.apiKey, jwtSecret: a.config.jwtSecret };
  const b = await startTestGateway({ nodeId: 'proof-b', bus: NATS, busPrefix, maxConnections: LOAD_CONNECTIONS - 2, connectRatePerIp: 10_000, ...shared });
  return [a, b];
}

/** What Grafana would put for each variable of `dashboard`: label_values asked of Prometheus, custom ones at their default. */
async function variableValues(prometheus: PrometheusServer, dashboard: Dashboard): Promise<Record<string, string>> {
  const values: Record<string, string> = { ...GRAFANA_INTERVALS };
  for (const variable of dashboard.templating.list ?? []) {
    const query = typeof variable.query === 'string' ? variable.query : '';
    const labelValues = /^label_values\((\w+), *(\w+)\)$/.exec(query);
    if (labelValues) {
      const [, metric, label] = labelValues;
      const response = await fetch(`${prometheus.url}/api/v1/label/${label}/values?match[]=${encodeURIComponent(metric!)}`);
      const found = ((await response.json()) as { data: string[] }).data;
      if (found.length === 0) throw new Error(`no ${label} values for ${metric} yet`);
      values[variable.name] = regexOf(found);
    } else if (variable.type === 'custom') {
      values[variable.name] = String(variable.current?.value);
    }
  }
  return values;
}

interface Verdict {
  query: PanelQuery;
  expr: string;
  ok: boolean;
  detail: string;
}

/** A query passes when Prometheus parses it and answers at least one series with a finite value. */
async function judge(prometheus: PrometheusServer, query: PanelQuery, values: Record<string, string>): Promise<Verdict> {
  const expr = interpolate(query.expr, values);
  try {
    const result = await prometheus.query(expr);
    const finite = result.filter((sample) => Number.isFinite(Number(sample.value[1])));
    return { query, expr, ok: finite.length > 0, detail: `${result.length} series, ${finite.length} finite` };
  } catch (error) {
    return { query, expr, ok: false, detail: (error as Error).message };
  }
}

/** Asks every query of `built` once (a series may not have been scraped yet). */
async function judgeAll(prometheus: PrometheusServer, built: Dashboard[]): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const dashboard of built) {
    const values = await variableValues(prometheus, dashboard).catch(() => undefined);
    const queries = panelQueries(dashboard);
    if (!values) {
      verdicts.push(...queries.map((query) => ({ query, expr: query.expr, ok: false, detail: 'variables not resolvable yet' })));
      continue;
    }
    verdicts.push(...(await Promise.all(queries.map((query) => judge(prometheus, query, values)))));
  }
  return verdicts;
}

/** Asks again every second until every query passes, at most `timeoutMs`; fails with the last failures. */
function judgeUntilAllPass(prometheus: PrometheusServer, timeoutMs: number): Promise<Verdict[]> {
  const built = dashboards.map(({ build }) => build());
  return vi.waitFor(
    async () => {
      const verdicts = await judgeAll(prometheus, built);
      const failed = verdicts.filter((v) => !v.ok).map((v) => `${v.query.dashboard} / ${v.query.panel} ${v.query.refId}: ${v.detail}\n    ${v.expr}`);
      expect(failed, failed.join('\n')).toEqual([]);
      return verdicts;
    },
    { timeout: timeoutMs, interval: 1000 },
  );
}

describe('every dashboard query, on a real Prometheus scraping real gateways and a load run', () => {
  it('parses and returns data, and the exemplar panels return trace ids of real spans', async () => {
    const started = Date.now() / 1000;
    const [a, b] = await startCluster();
    let prometheus: PrometheusServer | undefined;
    let traffic: ProofTraffic | undefined;
    let load: LoadRun | undefined;
    try {
      load = startLoadRun({ target: b.http, apiKey: a.config.apiKey, jwtSecret: a.config.jwtSecret!, connections: LOAD_CONNECTIONS, steadySeconds: 60 });
      const metricsPort = await load.serving;
      prometheus = await startPrometheus([new URL(a.http).host, new URL(b.http).host, `127.0.0.1:${metricsPort}`]);
      traffic = await startProofTraffic(a, b);
      const verdicts = await judgeUntilAllPass(prometheus, 45_000);
      expect(verdicts.length).toBe(dashboards.flatMap(({ build }) => panelQueries(build())).length);

      const exemplarVerdicts = verdicts.filter((v) => v.query.exemplar);
      expect(exemplarVerdicts.length).toBeGreaterThan(0);
      for (const { query, expr } of exemplarVerdicts) {
        const series = await prometheus.queryExemplars(expr, started, Date.now() / 1000 + 5);
        const traceIds = series.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
        expect(traceIds.length, `${query.panel}: no exemplars`).toBeGreaterThan(0);
        // Read after the exemplars: every trace they name has finished spans by now.
        const traced = new Set(exporter.getFinishedSpans().map((span) => span.spanContext().traceId));
        for (const traceId of traceIds) expect(traced.has(traceId!), `${query.panel}: exemplar ${traceId} is no span's trace`).toBe(true);
      }
      expect(traffic.pushes).toBeGreaterThan(0);
    } finally {
      await traffic?.stop();
      await load?.stop();
      await prometheus?.stop();
    }
  }, 90_000);
});
