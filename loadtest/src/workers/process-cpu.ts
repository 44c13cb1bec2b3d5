import { readFileSync } from 'node:fs';

/** Linux reports utime/stime in USER_HZ ticks, which is 100 on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, all threads) a process has used so far, in ms,
 * or undefined where /proc is unavailable. Resolution is 10 ms, so only
 * differences over whole scenarios are meaningful.
 */
export const readProcessCpuMs = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields are counted after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
};
