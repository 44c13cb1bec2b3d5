import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';

/** One PromQL target of one panel, as Grafana would send it before interpolation. */
export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
  exemplar: boolean;
}

interface PromTarget {
  refId?: string;
  expr?: string;
  exemplar?: boolean;
}

/** Every panel of a dashboard, rows' nested panels included, rows themselves left out. */
export function dashboardPanels(dashboard: Dashboard): Panel[] {
  const panels: Panel[] = [];
  const visit = (panel: Panel | RowPanel) => {
    if (panel.type === 'row') (panel as RowPanel).panels.forEach(visit);
    else panels.push(panel as Panel);
  };
  (dashboard.panels ?? []).forEach(visit);
  return panels;
}

/** Every PromQL target of every panel. */
export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  return dashboardPanels(dashboard).flatMap((panel) =>
    ((panel.targets ?? []) as PromTarget[]).map((target) => ({
      dashboard: dashboard.title ?? '',
      panel: panel.title ?? '',
      refId: target.refId ?? '',
      expr: target.expr ?? '',
      exemplar: target.exemplar === true,
    })),
  );
}

/** A variable's value as Grafana writes a multi-value pick into a regex matcher: `(a|b)`, regex characters escaped. */
export const regexOf = (values: readonly string[]) => `(${values.map((value) => value.replace(/[\\^$.*+?()[\]{}|]/g, '\\\\$&')).join('|')})`;

/**
 * Replaces `$name` and `${name}` the way Grafana interpolates before querying. Throws when a
 * variable is left, so a new variable cannot slip past the proof unsubstituted.
 */
export function interpolate(expr: string, values: Readonly<Record<string, string>>): string {
  const result = expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    return name in values ? values[name]! : whole;
  });
  const left = /\$\{?\w+/.exec(result);
  if (left) throw new Error(`no value for ${left[0]} in ${expr}`);
  return result;
}
