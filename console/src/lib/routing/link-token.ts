import { tokenFromHash } from './routes.ts';

/**
 * Takes the token from a `#token=…` link and removes it from the address bar at once, so it does
 * not linger in the history, in bookmarks or on a shared screen. Undefined outside a browser or
 * when the page was opened without one.
 */
export function takeTokenFromLocation(): string | undefined {
  if (typeof location === 'undefined' || typeof history === 'undefined') return undefined;
  const token = tokenFromHash(location.hash);
  if (token === undefined) return undefined;
  history.replaceState(history.state, '', location.pathname + location.search);
  return token;
}
