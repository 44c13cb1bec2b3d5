import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';

/** The console's build output, where `npm run build -w console` writes it. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist', import.meta.url));

/**
 * Serves the built console at `/console/`. The page holds an operator token, so it may not be
 * framed and loads nothing from elsewhere; hashed assets are cached for good, the page never.
 */
export function createConsoleAssets(root = CONSOLE_DIST): Hono {
  const assets = new Hono();
  assets.get('/console', (c) => c.redirect('/console/', 301));
  assets.use('/console/*', async (c, next) => {
    await next();
    c.header('X-Frame-Options', 'DENY');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header(
      'Content-Security-Policy',
      "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    );
    const immutable = c.req.path.startsWith('/console/assets/') && c.res.status === 200;
    c.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
  // Built on first use: the console may be built after the gateway started.
  let serve: MiddlewareHandler | undefined;
  assets.get('/console/*', async (c, next) => {
    if (!existsSync(root)) return c.json({ error: 'the console is not built: run npm run build -w console' }, 503);
    serve ??= serveStatic({ root, rewriteRequestPath: (path) => path.slice('/console'.length) || '/' });
    return serve(c, next);
  });
  return assets;
}
