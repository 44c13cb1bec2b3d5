import { parseRoute, routeHash, type Route } from '../routing/routes.ts';

export interface Router {
  readonly route: Route;
  /** The whole location hash, for views that read more than their route from it (`#/pushes/<id>`). */
  readonly hash: string;
  /** Shows `route` and records it in the address bar. */
  go(route: Route): void;
  /** Shows what `hash` names (a route with its parameters) and records it in the address bar. */
  open(hash: string): void;
  start(): void;
  stop(): void;
}

/** The current view, following the location hash (`#/overview`, `#/slow`, …). */
export function createRouter(): Router {
  const readHash = () => (typeof location === 'undefined' ? '' : location.hash);
  let hash = $state(readHash());
  const route = $derived(parseRoute(hash));
  const onHashChange = () => (hash = readHash());
  const open = (next: string) => {
    hash = next;
    if (typeof location !== 'undefined' && location.hash !== next) location.hash = next;
  };
  return {
    get route() {
      return route;
    },
    get hash() {
      return hash;
    },
    go: (next) => open(routeHash(next)),
    open,
    start() {
      hash = readHash();
      globalThis.addEventListener?.('hashchange', onHashChange);
    },
    stop() {
      globalThis.removeEventListener?.('hashchange', onHashChange);
    },
  };
}
