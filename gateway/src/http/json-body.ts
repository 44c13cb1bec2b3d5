import type { Context } from 'hono';

export type JsonBody = { ok: true; value: unknown } | { ok: false; response: Response };

/** Reads the request body as JSON, answering 400 with a JSON error when it is not. */
export async function readJsonBody(c: Context): Promise<JsonBody> {
  const text = await c.req.text();
  if (text.trim() === '') return { ok: false, response: c.json({ error: 'request body is empty' }, 400) };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: c.json({ error: 'request body is not valid JSON' }, 400) };
  }
}
