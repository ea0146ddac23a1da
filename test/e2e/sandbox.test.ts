import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/processes.js';

/**
 * `rex sandbox` (what `npm start` runs) as a user runs it in a terminal:
 * started, then stopped with Ctrl-C, which a terminal sends to its whole
 * foreground process group, PostgreSQL's server included. The roles must
 * stop in order before PostgreSQL does, so nothing reports a lost
 * connection; a second start reuses the data directory.
 */
const dir = mkdtempSync(join(tmpdir(), 'rex-e2e-sandbox-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the sandbox in a process group of its own, runs until it is ready, then Ctrl-C's the group; resolves with its output and exit code. */
async function runUntilReadyThenCtrlC(): Promise<{ output: string; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sandbox', '--data-dir', dir], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  // 'close', not 'exit': the output is complete only once the pipes have closed.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const deadline = Date.now() + 240_000;
  while (!output.includes('Press Ctrl-C') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
  expect(output, 'the sandbox did not become ready').toContain('Press Ctrl-C');
  process.kill(-child.pid!, 'SIGINT');
  const code = await exited;
  return { output, code };
}

function postmasterRunning(): boolean {
  return existsSync(join(dir, 'postgres', 'pgdata', 'postmaster.pid'));
}

describe('the sandbox from a terminal', () => {
  it('stops cleanly on Ctrl-C, PostgreSQL last, and a second start reuses everything', async () => {
    const first = await runUntilReadyThenCtrlC();
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/SIGINT: stopping/);
    expect(first.output).toMatch(/seeded {6}Saguaro/);
    expect(first.output).not.toMatch(/Connection Error|terminating connection|Connection terminated|DriverException/);
    expect(postmasterRunning()).toBe(false);
    const logins = first.output.match(/registrar login: {2}\S+ \/ \S+/g);
    expect(logins).toHaveLength(2);

    const second = await runUntilReadyThenCtrlC();
    expect(second.code, second.output).toBe(0);
    expect(second.output).toMatch(/NCES 0499901: Active/);
    expect(second.output).toMatch(/NCES 2799901: Active/);
    expect(second.output).not.toMatch(/seeded/);
    expect(second.output.match(/registrar login: {2}\S+ \/ \S+/g)).toEqual(logins);
    expect(second.output).not.toMatch(/Connection Error|terminating connection|Connection terminated|DriverException/);
    expect(postmasterRunning()).toBe(false);
  }, 600_000);
});
