import type { MiddlewareHandler } from 'hono';
import { bearerToken, secretsEqual } from '../auth/secret-compare.ts';

/** Requires `Authorization: Bearer <api key>`, compared in constant time. */
export function apiKeyAuth(apiKey: string): MiddlewareHandler {
  return async (c, next) => {
    const presented = bearerToken(c.req.header('authorization'));
    if (presented === undefined || !secretsEqual(presented, apiKey)) {
      return c.json({ error: 'missing or invalid API key' }, 401, { 'WWW-Authenticate': 'Bearer' });
    }
    await next();
  };
}
