import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * The fields of /proc/PID/stat after the command name, which is in
 * parentheses and may hold spaces (proc(5)), or undefined once the process
 * is gone or where there is no /proc.
 */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) a process has used so far, from
 * /proc/PID/stat, or undefined where there is no /proc. With
 * `withChildren`, also the CPU of the children it has waited for. On a
 * shared machine a server's CPU time per request is steadier than its
 * requests per second.
 */
export function processCpuSeconds(pid: number | undefined, withChildren = false): number | undefined {
  const fields = pid ? statFields(pid) : undefined;
  if (!fields) return undefined;
  // utime and stime, then cutime and cstime (fields 14–17 of proc(5)).
  const own = Number(fields[11]) + Number(fields[12]);
  return (withChildren ? own + Number(fields[13]) + Number(fields[14]) : own) / TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by the PostgreSQL server whose data directory is
 * `pgdata`: the postmaster with the backends it has reaped, plus every live
 * backend. 0 where there is no /proc.
 */
export function postgresCpuSeconds(pgdata: string): number {
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return 0;
  }
  let total = processCpuSeconds(postmaster, true) ?? 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return total;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    // A backend that ends meanwhile has no stat any more, and counts once its parent reaps it.
    if (Number(statFields(Number(entry))?.[1]) === postmaster) total += processCpuSeconds(Number(entry)) ?? 0;
  }
  return total;
}
