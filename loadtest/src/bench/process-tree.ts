/**
 * CPU and memory of a server under test and the processes it started (nginx's master runs its
 * worker as a child; a Node server is one process), read from /proc. Linux only; elsewhere the
 * readings are undefined and the report says so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readProcessCpuMs } from '../workers/process-cpu.ts';

/** Bound on the walk, far above any server's process count. */
const MAX_PROCESSES = 64;

const childrenOf = (pid: number): number[] => {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .split(' ')
        .filter((s) => s.trim() !== '')
        .map(Number),
    );
  } catch {
    return [];
  }
};

/** `pid` and its descendants, parents first. */
export const processTree = (pid: number): number[] => {
  const tree = [pid];
  for (let i = 0; i < tree.length && tree.length < MAX_PROCESSES; i += 1) tree.push(...childrenOf(tree[i]!));
  return tree;
};

/** Resident set size of one process in KiB (VmRSS of /proc/<pid>/status), or undefined. */
export const readRssKb = (pid: number): number | undefined => {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
};

const sumOver = (pid: number, read: (pid: number) => number | undefined): number | undefined => {
  let total = 0;
  for (const member of processTree(pid)) {
    const value = read(member);
    if (value === undefined) return undefined;
    total += value;
  }
  return total;
};

/** CPU ms (user + system, all threads) of the process and its descendants. */
export const treeCpuMs = (pid: number): number | undefined => sumOver(pid, readProcessCpuMs);

/** RSS in KiB of the process and its descendants. */
export const treeRssKb = (pid: number): number | undefined => sumOver(pid, readRssKb);
