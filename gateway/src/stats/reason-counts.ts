/**
 * A record with one zero count per value of a reason list (`CLOSE_REASONS`, `DROP_REASONS`, ...),
 * so every reason is present from the start and none can be missing from `GET /api/stats`.
 */
export function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}
