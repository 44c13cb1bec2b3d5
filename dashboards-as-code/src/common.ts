import * as common from '@grafana/grafana-foundation-sdk/common';
import { CustomVariableBuilder, type Dashboard, DashboardBuilder, DashboardCursorSync, DatasourceVariableBuilder, type Panel, QueryVariableBuilder, type RowPanel, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel and query reads from the Prometheus picked in the dashboard's `datasource` variable. */
export const PROMETHEUS = { type: 'prometheus', uid: '${datasource}' };

/** The `datasource` variable: any Prometheus, so the dashboards work outside the compose stack too. */
export const datasourceVariable = () => new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');

/**
 * The `instance` variable ("Node"): every scrape target exposing `metric`. "All" is left to Grafana's
 * own expansion, a regex of the listed values, so a Prometheus scraping other things (itself, the
 * collector) never leaks their process metrics into a node panel.
 */
export const nodeVariable = (metric: string) =>
  new QueryVariableBuilder('instance')
    .label('Node')
    .datasource(PROMETHEUS)
    .query(`label_values(${metric}, instance)`)
    .definition(`label_values(${metric}, instance)`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .current({ text: 'All', value: '$__all' });

/** A fixed list of values with one selected, e.g. histogram bucket bounds. */
export const choiceVariable = (name: string, label: string, values: readonly (string | number)[], selected: string | number) =>
  new CustomVariableBuilder(name)
    .label(label)
    .values(values.join(','))
    .current({ text: String(selected), value: String(selected) });

/** One PromQL query; `legend` is a Grafana legend template such as `{{instance}}`. */
export const prometheusQuery = (expr: string, legend: string) =>
  new DataqueryBuilder().datasource(PROMETHEUS).expr(expr).legendFormat(legend).range();

/** A query of per-bucket rates drawn as a heatmap; `exemplars` asks Prometheus for the buckets' trace ids. */
export const heatmapQuery = (expr: string, exemplars: boolean) =>
  new DataqueryBuilder().datasource(PROMETHEUS).expr(expr).legendFormat('{{le}}').format(PromQueryFormat.Heatmap).exemplar(exemplars).range();

/** A time series panel with the house defaults: thin lines, light fill, a sorted shared tooltip. */
export const timeseriesPanel = (title: string, unit: string) =>
  new timeseries.PanelBuilder()
    .title(title)
    .datasource(PROMETHEUS)
    .unit(unit)
    .axisSoftMin(0)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));

/** A single-value panel showing the last value, with a sparkline. */
export const statPanel = (title: string, unit: string) =>
  new stat.PanelBuilder()
    .title(title)
    .datasource(PROMETHEUS)
    .unit(unit)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));

/**
 * A heatmap of a Prometheus histogram whose buckets are already computed (`calculate` off): one row
 * per `le` bound, exemplars drawn on top in a colour the scheme never uses.
 */
export const heatmapPanel = (title: string, unit: string) =>
  new heatmap.PanelBuilder()
    .title(title)
    .datasource(PROMETHEUS)
    .calculate(false)
    .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(common.HeatmapCellLayout.Le))
    .yAxis(new heatmap.YAxisConfigBuilder().unit(unit))
    .color(new heatmap.HeatmapColorOptionsBuilder().mode(heatmap.HeatmapColorMode.Scheme).scheme('Oranges').scale(heatmap.HeatmapColorScale.Exponential).exponent(0.5).steps(64))
    .filterValues(new heatmap.FilterValueRangeBuilder().le(1e-9))
    .cellGap(1)
    .showValue(common.VisibilityMode.Never)
    .tooltip(new heatmap.HeatmapTooltipBuilder().mode(common.TooltipDisplayMode.Single).yHistogram(true))
    .exemplarsColor('rgba(31, 96, 196, 0.9)');

/**
 * Builds an assembled dashboard and numbers what the builders leave open: panel ids in layout order
 * (Grafana keys panel links and state on them) and each query's refId (A, B, …) within its panel.
 */
/**
 * What every wsgw dashboard shares: its tag, live refresh, the last half hour, a shared crosshair
 * and the data source picker. Each dashboard adds its own node variable and layout.
 */
export const dashboardFrame = (title: string, uid: string, description: string) =>
  new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['wsgw'])
    .editable()
    .refresh('10s')
    .time({ from: 'now-30m', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable());

export function buildDashboard(builder: DashboardBuilder): Dashboard {
  const dashboard = builder.build();
  let id = 0;
  const number = (panel: Panel | RowPanel) => {
    id += 1;
    panel.id = id;
    if ('targets' in panel && panel.targets) {
      panel.targets.forEach((target, i) => ((target as { refId?: string }).refId ??= String.fromCharCode(65 + i)));
    }
    if ('panels' in panel) panel.panels.forEach(number);
  };
  (dashboard.panels ?? []).forEach(number);
  return dashboard;
}
