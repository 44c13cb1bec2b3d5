/** The console's views, addressed by hash routes (`#/overview`) so the gateway serves one page. */
export const ROUTES = ['overview', 'slow', 'users', 'pushes', 'push', 'tail'] as const;
export type Route = (typeof ROUTES)[number];

export const ROUTE_TITLES: Record<Route, string> = {
  overview: 'Overview',
  slow: 'Slow deliveries',
  users: 'Users',
  pushes: 'Pushes',
  push: 'Test push',
  tail: 'Live tail',
};

/** The route a location hash names; the overview for anything else. */
export function parseRoute(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split(/[/?&]/)[0] ?? '';
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'overview';
}

export const routeHash = (route: Route): string => `#/${route}`;

/**
 * The operator token of a `#token=…` link (the one the gateway prints in dev mode), or undefined.
 * Read by hand rather than with URLSearchParams, which would turn a `+` in the token into a space.
 */
export function tokenFromHash(hash: string): string | undefined {
  const match = /^#(?:.*&)?token=([^&]*)/.exec(hash);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}
