import { parseRoute, routeHash, type Route } from '../routing/routes.ts';

export interface Router {
  readonly route: Route;
  /** Shows `route` and records it in the address bar. */
  go(route: Route): void;
  start(): void;
  stop(): void;
}

/** The current view, following the location hash (`#/overview`, `#/slow`, …). */
export function createRouter(): Router {
  const read = () => (typeof location === 'undefined' ? 'overview' : parseRoute(location.hash));
  let route = $state<Route>(read());
  const onHashChange = () => (route = read());
  return {
    get route() {
      return route;
    },
    go(next) {
      route = next;
      if (typeof location !== 'undefined' && location.hash !== routeHash(next)) location.hash = routeHash(next);
    },
    start() {
      route = read();
      globalThis.addEventListener?.('hashchange', onHashChange);
    },
    stop() {
      globalThis.removeEventListener?.('hashchange', onHashChange);
    },
  };
}
