import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/storage/embedded-postgres.js';
import { createTestDatabase } from '../support/database.js';
import { runRex, startRex, stopProcess } from '../support/processes.js';

/**
 * A real node process over HTTP, driven by the rex CLI as a district
 * administrator would: seed, create API clients, get tokens, read within and
 * outside a client's scope, revoke, and bulk-load a file with a bad record.
 */
const dir = mkdtempSync(join(tmpdir(), 'rex-e2e-edfi-'));
let node: ChildProcess | undefined;
let baseUrl = '';
let configFile = '';
const SCHOOL = 49990100004;

beforeAll(async () => {
  const port = await findFreePort();
  baseUrl = `http://127.0.0.1:${port}`;
  configFile = join(dir, 'node.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: join(dir, 'node'),
      databaseUrl: await createTestDatabase('node'),
      logLevel: 'warn',
      http: { host: '127.0.0.1', port },
      node: { district: { ncesId: '0499901', name: 'Saguaro Unified School District', state: 'AZ' }, routerUrl: 'http://127.0.0.1:9' },
    }),
  );
  node = await startRex(['node', '--config', configFile], `${baseUrl}/healthz`);
  const seeded = await runRex(['node', 'seed', '--students', '12', '--config', configFile]);
  expect(seeded.code, seeded.stderr).toBe(0);
  expect(seeded.stdout).toMatch(/synthetic district of 12 students .* 0 rejected/);
  expect(seeded.stderr).toContain('seeding students');
}, 180_000);

afterAll(async () => {
  if (node) await stopProcess(node);
});

async function createClient(name: string, edOrg: string): Promise<{ key: string; secret: string }> {
  const run = await runRex(['node', 'clients', 'create', '--name', name, '--ed-org', edOrg, '--config', configFile]);
  expect(run.code, run.stderr).toBe(0);
  const key = /^key:\s+(\S+)$/m.exec(run.stdout)?.[1];
  const secret = /^secret:\s+(\S+)$/m.exec(run.stdout)?.[1];
  if (!key || !secret) throw new Error(`no credentials in ${run.stdout}`);
  return { key, secret };
}

async function token(client: { key: string; secret: string }): Promise<string> {
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client.key}:${client.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
  expect(body).toMatchObject({ token_type: 'bearer', expires_in: 1800 });
  return body.access_token;
}

const get = (path: string, bearer?: string) => fetch(`${baseUrl}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

describe('Ed-Fi API access over HTTP', () => {
  it('requires a token, scopes clients to their schools, and forgets revoked clients', async () => {
    expect((await get('/data/v3/ed-fi/students')).status).toBe(401);
    const lea = await token(await createClient('State reporting', '499901'));
    const schoolClient = await createClient('School SIS', String(SCHOOL));
    const school = await token(schoolClient);

    // The 12 seeded students, and those the load test of this file adds (L-1, L-2) if it ran first.
    const all = (await (await get('/data/v3/ed-fi/students?limit=100', lea)).json()) as Array<{ id: string; studentUniqueId: string }>;
    expect(all.filter((s) => !s.studentUniqueId.startsWith('L-'))).toHaveLength(12);
    const mine = (await (await get('/data/v3/ed-fi/students?limit=100', school)).json()) as Array<{ id: string; studentUniqueId: string }>;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.length).toBeLessThan(all.length);
    const outside = all.find((s) => !mine.some((m) => m.id === s.id))!;
    const refused = await get(`/data/v3/ed-fi/students/${outside.id}`, school);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { type: string }).type).toBe('urn:ed-fi:api:security:authorization');
    expect((await get(`/data/v3/ed-fi/students/${mine[0]!.id}`, school)).status).toBe(200);

    const list = await runRex(['node', 'clients', 'list', '--config', configFile]);
    expect(list.stdout).toContain(schoolClient.key);
    expect(list.stdout).not.toContain(schoolClient.secret);
    const revoked = await runRex(['node', 'clients', 'revoke', schoolClient.key, '--config', configFile]);
    expect(revoked.code, revoked.stderr).toBe(0);
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      status = (await get(`/data/v3/ed-fi/students/${mine[0]!.id}`, school)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(401);
  });

  it('rex node load reports the bad record with file:line and loads the rest', async () => {
    const file = join(dir, 'transfer.ndjson');
    const student = (id: string, birthDate = '2013-01-09') => JSON.stringify({ resource: 'students', project: 'ed-fi', document: { studentUniqueId: id, firstName: 'Lena', lastSurname: 'Nakai', birthDate } });
    const enrollment = (id: string) =>
      JSON.stringify({
        resource: 'studentSchoolAssociations',
        project: 'ed-fi',
        document: { studentReference: { studentUniqueId: id }, schoolReference: { schoolId: SCHOOL }, entryDate: '2025-08-13', entryGradeLevelDescriptor: 'uri://ed-fi.org/GradeLevelDescriptor#Seventh grade' },
      });
    writeFileSync(file, [enrollment('L-1'), enrollment('L-2'), student('L-1'), student('L-2'), student('L-3', 'not a date')].join('\n'));
    const run = await runRex(['node', 'load', file, '--config', configFile]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`rejected ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5 students \\(400\\): .*birthDate`));
    expect(run.stdout).toContain('4 created, 0 updated, 1 rejected');
    const lea = await token(await createClient('Check', '499901'));
    const loaded = (await (await get('/data/v3/ed-fi/studentSchoolAssociations?studentUniqueId=L-2', lea)).json()) as unknown[];
    expect(loaded).toHaveLength(1);
  });
});
