/**
 * PromQL shapes the panels share. Every selector carries the dashboard's node filter, written here
 * once instead of pasted into each query.
 */

/** Grafana's rate window: at least four scrape intervals of the data source. */
export const RATE_WINDOW = '$__rate_interval';

/** `metric{instance=~"$instance", …matchers}`: the series of the nodes picked in the dashboard. */
export const series = (metric: string, ...matchers: string[]) => `${metric}{${['instance=~"$instance"', ...matchers].join(', ')}}`;

/** Per-second rate of a counter on the picked nodes. */
export const perSecond = (counter: string, ...matchers: string[]) => `rate(${series(counter, ...matchers)}[${RATE_WINDOW}])`;

/** `sum by (labels) (expr)`; no labels sums everything into one series. */
export const sumBy = (labels: readonly string[], expr: string) => (labels.length === 0 ? `sum(${expr})` : `sum by (${labels.join(', ')}) (${expr})`);

/** Per-bucket rates of a histogram (`<name>_bucket`), the input of heatmaps and quantiles. */
export const bucketRates = (histogram: string, by: readonly string[] = []) => sumBy(['le', ...by], perSecond(`${histogram}_bucket`));

/** The `q` quantile (0–1) of a histogram over the rate window, optionally kept apart by `by`. */
export const quantile = (q: number, histogram: string, by: readonly string[] = []) => `histogram_quantile(${q}, ${bucketRates(histogram, by)})`;

/** The share (0–1) of a histogram's observations above the bucket bound `le`. */
export const shareAbove = (histogram: string, le: string, by: readonly string[] = []) =>
  `1 - ${sumBy(by, perSecond(`${histogram}_bucket`, `le="${le}"`))} / ${sumBy(by, perSecond(`${histogram}_count`))}`;
