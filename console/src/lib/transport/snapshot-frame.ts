import type { ConsoleSnapshot } from '@wsgw/gateway/protocol';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * The snapshot carried by one feed frame, or undefined for anything else (binary data, text that
 * is not JSON, JSON that is not a snapshot). Checks the fields the console reads at its top level
 * so a malformed frame is dropped here instead of breaking a view later.
 */
export function parseSnapshotFrame(data: unknown): ConsoleSnapshot | undefined {
  if (typeof data !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isObject(value) || value.type !== 'snapshot') return undefined;
  if (typeof value.at !== 'number' || typeof value.node !== 'string') return undefined;
  if (!Array.isArray(value.nodes) || !Array.isArray(value.slowDeliveries) || !Array.isArray(value.recentPushes)) return undefined;
  const { totals, latency } = value;
  if (!isObject(totals) || typeof totals.connections !== 'number') return undefined;
  if (!isObject(latency) || !Array.isArray(latency.counts) || !isObject(latency.lastSecond) || !isObject(latency.lastMinute)) return undefined;
  return value as unknown as ConsoleSnapshot;
}
