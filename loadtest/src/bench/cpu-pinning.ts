/**
 * Keeps the server under test and its load apart on a two-core machine: the server runs on core 0,
 * the orchestrator (the publisher) and the client workers it forks on core 1, so neither side's
 * figures include waiting for the other's CPU. Uses `taskset`; without it, or with one core, nothing
 * is pinned and the report carries the reason.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export const SERVER_CORE = 0;
export const CLIENT_CORE = 1;

export interface CpuPinning {
  /** Prepended to a server's command: `taskset -c 0`, or nothing. */
  serverPrefix: string[];
  /** How the cores are shared, or why nothing is pinned. */
  note: string;
}

/** Pins this process (all its threads; children inherit it) to the client core, and says how servers are pinned. */
export const pinCores = (): CpuPinning => {
  if (availableParallelism() < 2) return { serverPrefix: [], note: 'one core: server and clients share it (not pinned)' };
  const probe = spawnSync('taskset', ['-a', '-cp', String(CLIENT_CORE), String(process.pid)], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : probe.stderr.trim();
    return { serverPrefix: [], note: `taskset unavailable (${why}): not pinned` };
  }
  return { serverPrefix: ['taskset', '-c', String(SERVER_CORE)], note: `server pinned to core ${SERVER_CORE}; orchestrator, publisher and clients to core ${CLIENT_CORE}` };
};
