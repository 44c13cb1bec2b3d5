import { Hono } from 'hono';
import type { Exposition } from '../telemetry/metrics-exposition.ts';
import { metricsTokenAuth } from './bearer-auth.ts';

export interface MetricsRoutesOptions {
  render(accept: string | undefined): Promise<Exposition>;
  /** `WSGW_METRICS_TOKEN`: when set, a scrape must present it as a Bearer token. */
  token: string | undefined;
}

/**
 * `GET /metrics`, mounted on the main app or, with `WSGW_METRICS_PORT`, alone on a port of its
 * own: metrics name users' streams and the node's load, which an operator may not want on the
 * port clients reach.
 */
export function createMetricsRoutes(options: MetricsRoutesOptions): Hono {
  const routes = new Hono();
  if (options.token !== undefined) routes.use('/metrics', metricsTokenAuth(options.token));
  routes.get('/metrics', async (c) => {
    const { contentType, body } = await options.render(c.req.header('accept'));
    return c.body(body, 200, { 'Content-Type': contentType });
  });
  return routes;
}
