/**
 * File descriptors: a server holding N connections needs N of them plus its own, and every child
 * inherits the orchestrator's limit. The soft limit is raised to the hard one when that helps
 * (prlimit on this process, before any child starts); connection counts that still do not fit
 * are left out of the run with a note rather than failing half way.
 */
import { spawnSync } from 'node:child_process';

/** Descriptors a server needs besides its connections: listener, files, pipes, libraries. */
const SERVER_SPARE_FDS = 512;

interface Limits {
  soft: number;
  hard: number;
}

const readLimits = (): Limits | undefined => {
  const run = spawnSync('prlimit', ['--pid', String(process.pid), '--nofile', '--raw', '--noheadings', '--output=SOFT,HARD'], { encoding: 'utf8' });
  if (run.status !== 0) return undefined;
  const [soft, hard] = run.stdout.trim().split(/\s+/).map((v) => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v)));
  return soft !== undefined && hard !== undefined && Number.isFinite(soft) ? { soft, hard } : undefined;
};

export interface ConnectionPlan {
  /** The counts that fit, in the order given. */
  connections: number[];
  notes: string[];
}

/** Raises the soft descriptor limit as far as the largest count needs (up to the hard limit) and drops counts that cannot fit. */
export const planConnectionCounts = (requested: readonly number[]): ConnectionPlan => {
  const limits = readLimits();
  if (!limits) return { connections: [...requested], notes: ['file-descriptor limit unknown (no prlimit): connection counts not checked'] };
  const largest = Math.max(...requested) + SERVER_SPARE_FDS;
  const notes: string[] = [];
  let soft = limits.soft;
  if (soft < largest && limits.hard > soft) {
    const target = Math.min(limits.hard, largest);
    const raise = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${target}:${limits.hard}`], { encoding: 'utf8' });
    if (raise.status === 0) {
      notes.push(`raised the soft file-descriptor limit from ${soft} to ${target}`);
      soft = target;
    }
  }
  const fits = requested.filter((n) => n + SERVER_SPARE_FDS <= soft);
  for (const n of requested.filter((count) => !fits.includes(count))) {
    notes.push(`${n} connections skipped: a server needs about ${n + SERVER_SPARE_FDS} file descriptors, the limit is ${soft} (hard ${limits.hard})`);
  }
  return { connections: fits, notes };
};
