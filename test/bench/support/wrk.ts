import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/processes.js';

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

/** A whole HTTP/1.1 request for wrk to send. */
export interface PrebuiltRequest {
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** What wrk measured: its running time, latency percentiles, and how many SIF_Acks came back and accepted. */
export interface WrkRun {
  seconds: number;
  p50: number;
  p99: number;
  answered: number;
  accepted: number;
}

/**
 * Writes `requests` to `file` as support/each-request-once.lua reads them:
 * each whole request followed by a NUL byte. Apart from sending, so that a
 * bench can write the file before it starts counting CPU time.
 */
export function writeWrkRequests(baseUrl: string, requests: PrebuiltRequest[], file: string): void {
  const { host } = new URL(baseUrl);
  const parts = requests.flatMap((r) => {
    const body = Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
    const head = [`POST ${r.path} HTTP/1.1`, `Host: ${host}`, ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`), `Content-Length: ${body.length}`, '', ''].join('\r\n');
    return [Buffer.from(head), body, Buffer.from([0])];
  });
  writeFileSync(file, Buffer.concat(parts));
}

/**
 * Sends each request of a file written by writeWrkRequests once with wrk
 * over `connections` connections (support/each-request-once.lua), and stops
 * wrk with SIGINT once `arrived` resolves, so wrk's running time spans its
 * first request to the moment everything had arrived. Fails if any answered
 * SIF_Ack is not a success.
 */
export async function sendWrkRequests(baseUrl: string, file: string, connections: number, arrived: () => Promise<void>): Promise<WrkRun> {
  const script = join(ROOT, 'test/bench/support/each-request-once.lua');
  const wrk = spawn('wrk', ['-t1', `-c${connections}`, '-d600s', '--timeout', '30s', '--latency', '-s', script, baseUrl, '--', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  wrk.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise((resolve) => wrk.on('close', resolve));
  try {
    await arrived();
  } finally {
    wrk.kill('SIGINT');
    await exited;
  }
  const [answered, accepted] = [/answered (\d+)/, /accepted (\d+)/].map((re) => Number(re.exec(out)?.[1])) as [number, number];
  if (!(answered > 0) || answered !== accepted) throw new Error(`wrk: ${accepted} of ${answered} answered messages accepted\n${out}`);
  const seconds = wrkMs(/requests in ([\d.]+(?:us|ms|s)),/.exec(out)?.[1]) / 1000;
  if (!(seconds > 0)) throw new Error(`wrk: no running time in its output\n${out}`);
  return { seconds, p50: wrkPercentileMs(out, 50), p99: wrkPercentileMs(out, 99), answered, accepted };
}

/** writeWrkRequests then sendWrkRequests. */
export async function sendEachOnceWithWrk(baseUrl: string, requests: PrebuiltRequest[], file: string, connections: number, arrived: () => Promise<void>): Promise<WrkRun> {
  writeWrkRequests(baseUrl, requests, file);
  return sendWrkRequests(baseUrl, file, connections, arrived);
}
