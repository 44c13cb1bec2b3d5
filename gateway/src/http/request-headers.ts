import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * The request's headers as Node parsed them (lower-case names), when the app runs on
 * @hono/node-server. Hono's `c.req.header()` builds a web `Headers` object from them on first use,
 * a few kilobytes of garbage per request, which on the push path is a good part of what the
 * garbage collector has to clear between two pushes.
 */
const nodeHeadersOf = (c: Context): IncomingHttpHeaders | undefined =>
  (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.headers;

/** One request header (its name in lower case); a repeated header is joined as Hono would. */
export function requestHeader(c: Context, name: string): string | undefined {
  const headers = nodeHeadersOf(c);
  if (!headers) return c.req.header(name);
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Every request header, as a carrier for trace-context propagation. */
export function requestHeaders(c: Context): Record<string, string | string[] | undefined> {
  return nodeHeadersOf(c) ?? c.req.header();
}
