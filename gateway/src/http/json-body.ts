import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { requestHeader } from './request-headers.ts';

/** A parsed body, with its text for callers that keep parts of it verbatim (a push's `data`). */
export type JsonBody = { ok: true; value: unknown; text: string } | { ok: false; response: Response };

const tooLarge = (c: Context, maxBytes: number) => c.json({ error: `request body exceeds ${maxBytes} bytes` }, 413);

/**
 * Refuses a request whose declared Content-Length is over the limit, before anything is read;
 * `onRefused` hears of each refusal (the push routes count it as a push error).
 */
export function declaredBodyLimit(maxBytes: number, onRefused: (path: string) => void = () => undefined): MiddlewareHandler {
  return async (c, next) => {
    if (Number(requestHeader(c, 'content-length') ?? 0) > maxBytes) {
      onRefused(c.req.path);
      return tooLarge(c, maxBytes);
    }
    await next();
  };
}

/**
 * Reads the request body as JSON with a byte cap: 413 past `maxBytes` (chunked bodies included),
 * 400 when it is empty, not UTF-8 or not JSON. Invalid UTF-8 is refused rather than replaced, so
 * what is delivered is what was sent.
 */
export async function readJsonBody(c: Context, maxBytes: number): Promise<JsonBody> {
  const bytes = await readBytes(c, maxBytes);
  if (bytes === undefined) return { ok: false, response: tooLarge(c, maxBytes) };
  if (!isUtf8(bytes)) return { ok: false, response: c.json({ error: 'request body is not valid UTF-8' }, 400) };
  const text = bytes.toString('utf8');
  if (text.trim() === '') return { ok: false, response: c.json({ error: 'request body is empty' }, 400) };
  try {
    return { ok: true, value: JSON.parse(text), text };
  } catch {
    return { ok: false, response: c.json({ error: 'request body is not valid JSON' }, 400) };
  }
}

/**
 * On @hono/node-server the body is read straight from Node's request: going through the web
 * `Request` stream costs about a third of a millisecond per push, which is most of the time
 * between a push arriving and its first delivery. Elsewhere (`app.request()`) the web API is used.
 */
async function readBytes(c: Context, maxBytes: number): Promise<Buffer | undefined> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) {
    const bytes = Buffer.from(await c.req.arrayBuffer());
    return bytes.length > maxBytes ? undefined : bytes;
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      // Stop collecting; the server drains or closes what is left after the 413 is sent.
      cleanup();
      incoming.pause();
      resolve(undefined);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
  });
}
