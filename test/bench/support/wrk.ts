import { spawnSync } from 'node:child_process';

/** Whether Debian's wrk is installed: it generates load with far less CPU than a JavaScript client. */
export const WRK_INSTALLED = spawnSync('wrk', ['--version']).error === undefined;

/** A wrk duration as printed ("850.12us", "12.34ms", "1.02s") in milliseconds; NaN when unreadable. */
export function wrkMs(value: string | undefined): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(value ?? '');
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === 'us' ? n / 1000 : match[2] === 's' ? n * 1000 : n;
}

/** The latency percentile `p` (50, 99, …) of wrk's `--latency` output, in milliseconds. */
export function wrkPercentileMs(output: string, p: number): number {
  return wrkMs(new RegExp(`^\\s+${p}%\\s+([\\d.]+\\w+)`, 'm').exec(output)?.[1]);
}
