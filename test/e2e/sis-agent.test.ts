import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/storage/embedded-postgres.js';
import { createTestDatabase } from '../support/database.js';
import { ROOT, runRex, startRex, stopProcess } from '../support/processes.js';

/**
 * A district node and `rex sis-agent` as separate processes: the simulated
 * SIS registers in the node's SIS zone, posts its roster as SIF 2.4 XML
 * events, and the records appear through the node's Ed-Fi API; an initial
 * sync (`rex node sif sync`) is answered by the running agent.
 */
const dir = mkdtempSync(join(tmpdir(), 'rex-e2e-sis-'));
const processes: ChildProcess[] = [];
let nodeUrl = '';
let config = '';

async function edfi(resource: string, query = ''): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${nodeUrl}/data/v3/ed-fi/${resource}?limit=500${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Array<Record<string, unknown>>;
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  const port = await findFreePort();
  nodeUrl = `http://127.0.0.1:${port}`;
  config = join(dir, 'node.json');
  writeFileSync(
    config,
    JSON.stringify({
      dataDir: join(dir, 'node'),
      databaseUrl: await createTestDatabase('node'),
      logLevel: 'warn',
      http: { host: '127.0.0.1', port },
      node: { district: { ncesId: '0499921', name: 'Mesquite Flats Unified', state: 'AZ' }, routerUrl: 'http://127.0.0.1:9', edfi: { requireToken: false } },
    }),
  );
  processes.push(await startRex(['node', '--config', config], `${nodeUrl}/healthz`));
}, 120_000);

afterAll(async () => {
  for (const child of processes) await stopProcess(child);
});

describe('rex sis-agent against a running node', () => {
  it('publishes its roster as SIF events that land in the Ed-Fi API', async () => {
    const run = await runRex(['sis-agent', '--config', config, '--students', '4', '--once']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('registered (pull)');
    const published = Number(/published (\d+) SIF_Event Adds/.exec(run.stdout)?.[1]);
    expect(published).toBeGreaterThan(20);
    const students = await eventually(() => edfi('students'), (s) => s.length >= 4);
    expect(students).toHaveLength(4);
    const enrollments = await eventually(() => edfi('studentSchoolAssociations'), (s) => s.length > 0);
    expect(enrollments.length).toBeGreaterThan(0);
    expect(await edfi('schools')).toHaveLength(5);
    // Attendance is published last: once some is in, every event before it has been applied.
    const attendance = await eventually(() => edfi('studentSchoolAttendanceEvents'), (s) => s.length > 0);
    expect(attendance.length).toBeGreaterThan(0);
    const failures = await runRex(['node', 'sif', 'failures', '--config', config]);
    expect(failures.stdout.trim()).toBe('no failures');
  }, 240_000);

  it('answers an initial sync: rex node sif sync loads what the running agent sends', async () => {
    const agent = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sis-agent', '--config', config, '--students', '4', '--skip-publish'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    processes.push(agent);
    const sync = await runRex(['node', 'sif', 'sync', '--object', 'StudentPersonal', '--config', config, '--timeout', '180']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain('StudentPersonal: 4 loaded, 0 failed');
  }, 240_000);

  it('lets an administrator extend the code sets', async () => {
    const set = await runRex(['node', 'sif', 'codes', 'set', 'gradeLevel', '13', 'Grade 13', '--config', config]);
    expect(set.stdout).toContain('gradeLevel 13 → uri://ed-fi.org/GradeLevelDescriptor#Grade 13');
    const list = await runRex(['node', 'sif', 'codes', 'list', '--set', 'gradeLevel', '--config', config]);
    expect(list.stdout).toMatch(/13\s+uri:\/\/ed-fi.org\/GradeLevelDescriptor#Grade 13/);
  }, 120_000);
});
