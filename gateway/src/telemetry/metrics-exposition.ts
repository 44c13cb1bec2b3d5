import { Registry, type RegistryContentType } from 'prom-client';

export interface Exposition {
  contentType: string;
  body: string;
}

/** True when the scraper accepts OpenMetrics, as Prometheus does when it can store exemplars. */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}

/**
 * Renders one registry in either format, as the scraper asks. prom-client decides the format from
 * the registry's content type and, for OpenMetrics, renames counters on the metric objects (drops
 * `_total`); so renders run one at a time, and counter names are restored before a plain-text one.
 */
export function createExposition(registry: Registry<RegistryContentType>): (accept: string | undefined) => Promise<Exposition> {
  const counterNames = new Map<{ name: string }, string>();
  let previous: Promise<unknown> = Promise.resolve();

  const render = async (openMetrics: boolean): Promise<Exposition> => {
    for (const metric of registry.getMetricsAsArray() as unknown as Array<{ name: string; type: string }>) {
      if (metric.type === 'counter' && !counterNames.has(metric)) counterNames.set(metric, metric.name);
    }
    if (!openMetrics) for (const [metric, name] of counterNames) metric.name = name;
    const contentType = openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
    registry.setContentType(contentType);
    return { contentType, body: await registry.metrics() };
  };

  return (accept) => {
    const next = previous.then(() => render(wantsOpenMetrics(accept)));
    previous = next.catch(() => undefined);
    return next;
  };
}
