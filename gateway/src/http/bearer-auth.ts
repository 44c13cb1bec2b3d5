import type { MiddlewareHandler } from 'hono';
import { bearerToken, secretsEqual } from '../auth/secret-compare.ts';
import { requestHeader } from './request-headers.ts';

/** Requires `Authorization: Bearer <secret>`, compared in constant time; `what` names it in the 401. */
function bearerSecretAuth(secret: string, what: string): MiddlewareHandler {
  return async (c, next) => {
    const presented = bearerToken(requestHeader(c, 'authorization'));
    if (presented === undefined || !secretsEqual(presented, secret)) {
      return c.json({ error: `missing or invalid ${what}` }, 401, { 'WWW-Authenticate': 'Bearer' });
    }
    await next();
  };
}

/** The push API's key (`WSGW_API_KEY`), held by backends. */
export const apiKeyAuth = (apiKey: string): MiddlewareHandler => bearerSecretAuth(apiKey, 'API key');

/** The operator token (`WSGW_ADMIN_TOKEN`), held by people using the console. */
export const adminTokenAuth = (adminToken: string): MiddlewareHandler => bearerSecretAuth(adminToken, 'operator token');

/** The scrape token (`WSGW_METRICS_TOKEN`), held by Prometheus. */
export const metricsTokenAuth = (metricsToken: string): MiddlewareHandler => bearerSecretAuth(metricsToken, 'metrics token');
