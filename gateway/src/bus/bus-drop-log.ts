import type { Logger } from 'pino';
import { BUS_MESSAGE_KINDS, type BusMessageKind } from './bus.ts';

/** How often, at most, one kind of dropped message is logged (ms). */
const LOG_INTERVAL_MS = 10_000;

export interface BusDropLog {
  /** A message that failed validation: counted, and logged with `reason` (a fixed phrase). */
  invalid(kind: BusMessageKind, reason: string): void;
  /** A handler threw on a valid message: logged where it failed, never with what it was given. */
  handlerFailed(kind: BusMessageKind, error: unknown): void;
  /** Invalid messages since start, by kind. */
  counts(): Readonly<Record<BusMessageKind, number>>;
}

/**
 * Counts what a bus drops and logs it at most once per `intervalMs` and kind: a flood of bad
 * messages must not become a flood of log lines. Nothing that came from the broker is logged.
 */
export function createBusDropLog(logger: Logger | undefined, where: string, intervalMs = LOG_INTERVAL_MS): BusDropLog {
  const invalid = Object.fromEntries(BUS_MESSAGE_KINDS.map((kind) => [kind, 0])) as Record<BusMessageKind, number>;
  const lastLogged = new Map<string, number>();
  const suppressed = new Map<string, number>();

  /** Whether `key` may log now; otherwise counts it toward the next line. */
  const mayLog = (key: string): number | undefined => {
    const now = Date.now();
    if (now - (lastLogged.get(key) ?? -Infinity) < intervalMs) {
      suppressed.set(key, (suppressed.get(key) ?? 0) + 1);
      return undefined;
    }
    lastLogged.set(key, now);
    const before = suppressed.get(key) ?? 0;
    suppressed.delete(key);
    return before;
  };

  return {
    invalid(kind, reason) {
      invalid[kind] += 1;
      const since = mayLog(`invalid:${kind}`);
      if (since !== undefined) logger?.warn({ where, kind, reason, alsoDropped: since }, 'invalid bus message dropped');
    },
    handlerFailed(kind, error) {
      const since = mayLog(`handler:${kind}`);
      if (since === undefined) return;
      // The stack's first line is the message, which may quote the input: keep only the frames.
      const stack = error instanceof Error ? error.stack?.split('\n').slice(1, 4).map((line) => line.trim()) : undefined;
      logger?.error({ where, kind, error: error instanceof Error ? error.name : typeof error, stack, alsoFailed: since }, 'bus handler failed');
    },
    counts: () => invalid,
  };
}
