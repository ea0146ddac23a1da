import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeSchema } from '../../src/node/node-schema.js';
import { openDatabase } from '../../src/storage/database.js';
import { findFreePort } from '../../src/storage/embedded-postgres.js';
import { createTestDatabase } from '../support/database.js';
import { ROOT, runRex, stopProcess, waitForHttp } from '../support/processes.js';
import { enrolCopy, eventually, seedStudents, userWith, type DistrictDb } from '../support/transfer-network.js';

/**
 * The national records transfer across real processes over HTTP (DESIGN §6):
 * a router and three district nodes started with the rex CLI, registered
 * and approved with it. Mesa asks; Lakes releases by hand (push delivery);
 * Prairie releases exact matches automatically and pulls its messages.
 */
const dir = mkdtempSync(join(tmpdir(), 'rex-e2e-transfer-'));
const processes = new Map<string, ChildProcess>();
let routerUrl = '';

interface E2eDistrict extends DistrictDb {
  key: string;
  config: string;
  url: string;
  clerk: string;
  settings: object;
}

const districts: Record<'mesa' | 'lakes' | 'prairie', E2eDistrict> = {
  mesa: { key: 'mesa', ncesId: '0400301', name: 'Mesa Unified', state: 'AZ', settings: {} } as E2eDistrict,
  lakes: { key: 'lakes', ncesId: '2700301', name: 'Lakes Public Schools', state: 'MN', settings: {} } as E2eDistrict,
  prairie: { key: 'prairie', ncesId: '3100301', name: 'Prairie Schools', state: 'NE', settings: { deliveryMode: 'pull', pollIntervalMs: 200, transfer: { autoReleaseExactMatches: true } } } as E2eDistrict,
};
const { mesa, lakes, prairie } = districts;
const students: Record<string, string[]> = {};
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function writeConfig(name: string, config: object): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/**
 * Starts a rex role and waits for its health check. The child is remembered
 * before waiting, so it is stopped even if it comes up too slowly (the
 * machine is shared: a cold tsx start can take long).
 */
async function startRole(key: string, args: string[], healthUrl: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env: withoutDatabaseUrl(), stdio: ['ignore', 'ignore', 'inherit'] });
  processes.set(key, child);
  await waitForHttp(healthUrl, 120_000);
}

/** The configuration files name each role's database; an inherited DATABASE_URL would override them. */
function withoutDatabaseUrl(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  return env;
}

async function startNodeProcess(d: E2eDistrict): Promise<void> {
  await startRole(d.key, ['node', '--config', d.config], `${d.url}/healthz`);
}

async function api(d: E2eDistrict, method: 'GET' | 'POST', path: string, body?: object): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${d.url}${path}`, {
    method,
    headers: { authorization: d.clerk, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, json: (await response.json()) as Json };
}

async function request(local: string, from: E2eDistrict): Promise<Json> {
  const sent = await api(mesa, 'POST', '/transfers', { studentUniqueId: local, releasingDistrict: from.ncesId, comments: 'New enrollment' });
  expect(sent.status, JSON.stringify(sent.json)).toBe(201);
  return sent.json;
}

async function statusAt(d: E2eDistrict, id: string, status: string, timeoutMs = 30_000): Promise<Json> {
  return eventually(async () => {
    const t = await api(d, 'GET', `/transfers/${id}`);
    return t.json.status === status ? t.json : undefined;
  }, `${id} to be ${status} at ${d.name}`, timeoutMs);
}

async function incoming(d: E2eDistrict, name: string, status: string): Promise<Json> {
  return eventually(async () => (await api(d, 'GET', '/transfers')).json.transfers.find((t: Json) => t.side === 'releasing' && t.name === name && t.status === status), `${status} request at ${d.name}`);
}

beforeAll(async () => {
  const routerPort = await findFreePort();
  routerUrl = `http://127.0.0.1:${routerPort}`;
  const routerConfig = writeConfig('router', { dataDir: join(dir, 'router'), databaseUrl: await createTestDatabase('router'), logLevel: 'warn', http: { host: '127.0.0.1', port: routerPort } });
  await startRole('router', ['router', '--config', routerConfig], `${routerUrl}/healthz`);
  for (const d of Object.values(districts)) {
    const port = await findFreePort();
    const databaseUrl = await createTestDatabase('node');
    d.url = `http://127.0.0.1:${port}`;
    d.config = writeConfig(d.key, {
      dataDir: join(dir, d.key),
      databaseUrl,
      logLevel: 'warn',
      http: { host: '127.0.0.1', port },
      node: { district: { ncesId: d.ncesId, name: d.name, state: d.state }, routerUrl, applicationName: `rex-${d.key}`, ...d.settings },
    });
    d.orm = await openDatabase(databaseUrl, nodeSchema, 4);
    await startNodeProcess(d);
    expect((await runRex(['node', 'register', '--accept-terms', '--config', d.config])).code).toBe(0);
    expect((await runRex(['router', 'approve', d.ncesId, '--config', routerConfig])).code).toBe(0);
    expect((await runRex(['node', 'status', '--config', d.config])).stdout).toContain('Active');
    students[d.key] = await seedStudents(d, 4, Number(d.ncesId));
    d.clerk = await userWith(d, 'clerk', ['records-transfer', 'student-records-transfer', 'notify-process-inbox']);
  }
}, 480_000);

afterAll(async () => {
  for (const child of processes.values()) await stopProcess(child);
  for (const d of Object.values(districts)) await (d.orm as MikroORM | undefined)?.close(true);
});

describe('national records transfer between processes', () => {
  it('exact match, released by a person from Process Alerts, received and readable', async () => {
    const local = await enrolCopy(lakes, mesa, students.lakes![0]!);
    const sent = await request(local, lakes);
    const pending = await incoming(lakes, sent.name, 'pending-release');
    expect((await api(lakes, 'GET', '/process-alerts')).json.incoming.map((t: Json) => t.id)).toContain(pending.id);
    expect((await api(lakes, 'POST', `/transfers/${pending.id}/release`, { comments: 'Sent' })).status).toBe(200);
    await statusAt(mesa, sent.id, 'received');
    const packet = await api(mesa, 'GET', `/transfers/${sent.id}/packet`);
    expect(packet.status).toBe(200);
    expect(packet.json.student.studentUniqueId).toBe(students.lakes![0]);
  });

  it('automatic release of an exact match, delivered by pull', async () => {
    const local = await enrolCopy(prairie, mesa, students.prairie![0]!);
    const sent = await request(local, prairie);
    const received = await statusAt(mesa, sent.id, 'received');
    expect(received.decidedBy).toMatchObject({ username: 'system' });
  });

  it('no match: the error report reaches the requester', async () => {
    const local = await enrolCopy(lakes, mesa, students.lakes![1]!, (s) => (s.firstName = `${String(s.firstName)}x`));
    const sent = await request(local, lakes);
    const error = await incoming(lakes, sent.name, 'match-error');
    expect((await api(lakes, 'POST', `/transfers/${error.id}/error-report`)).status).toBe(200);
    const told = await statusAt(mesa, sent.id, 'match-error');
    expect(told.history.at(-1).note).toContain('Exact match not found');
  });

  it('multiple match is an error, and the rejection travels back', async () => {
    await enrolCopy(lakes, lakes, students.lakes![2]!, (_s, seoa) => delete seoa.studentIdentificationCodes, `TWIN${students.lakes![2]}`);
    const local = await enrolCopy(lakes, mesa, students.lakes![2]!, (_s, seoa) => delete seoa.studentIdentificationCodes);
    const sent = await request(local, lakes);
    const error = await incoming(lakes, sent.name, 'match-error');
    expect(error.candidates.filter((c: Json) => c.exact)).toHaveLength(2);
    expect((await api(lakes, 'POST', `/transfers/${error.id}/reject`, { comments: 'Two students match; call us' })).status).toBe(200);
    const rejected = await statusAt(mesa, sent.id, 'rejected');
    expect(rejected.decisionComments).toBe('Two students match; call us');
  });

  it('survives SIGKILL of the releasing node mid-transfer: the transfer completes exactly once', async () => {
    const local = await enrolCopy(prairie, mesa, students.prairie![1]!);
    const sent = await request(local, prairie);
    // Kill the releasing node while it may be receiving, matching or releasing, then start it again.
    await new Promise((r) => setTimeout(r, 150));
    processes.get('prairie')!.kill('SIGKILL');
    await new Promise((r) => processes.get('prairie')!.once('exit', r));
    await startNodeProcess(prairie);
    await statusAt(mesa, sent.id, 'received', 60_000);
    const em = prairie.orm.em.fork();
    const [asked] = await mesa.orm.em.fork().execute<Array<{ msg: string }>>(`SELECT request_message_id AS msg FROM records_transfer WHERE id = ?`, [sent.id]);
    const theirs = await em.execute<Array<{ id: string }>>(`SELECT id FROM records_transfer WHERE request_message_id = ?`, [asked!.msg]);
    expect(theirs).toHaveLength(1);
    const releases = await em.execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM records_transfer_event WHERE transfer_id = ? AND status = 'released'`, [theirs[0]!.id]);
    expect(Number(releases[0]!.n)).toBe(1);
    const logged = await em.execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM disclosure_log WHERE transfer_id = ? AND action = 'release'`, [theirs[0]!.id]);
    expect(Number(logged[0]!.n)).toBe(1);
    const mine = await mesa.orm.em.fork().execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM records_transfer_event WHERE transfer_id = ? AND status = 'received'`, [sent.id]);
    expect(Number(mine[0]!.n)).toBe(1);
    const packets = await mesa.orm.em.fork().execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM records_transfer_packet WHERE transfer_id = ?`, [sent.id]);
    expect(Number(packets[0]!.n)).toBe(1);
  });

  it('the CLI lists transfers and Process Alerts', async () => {
    // A transfer of its own (automatic release), whatever the other tests have done.
    const local = await enrolCopy(prairie, mesa, students.prairie![2]!);
    const sent = await request(local, prairie);
    await statusAt(mesa, sent.id, 'received');
    const list = await runRex(['node', 'transfer', 'list', '--config', mesa.config]);
    expect(list.code).toBe(0);
    const line = list.stdout.split('\n').find((l) => l.startsWith(sent.id));
    expect(line).toContain('received');
    expect(line).toContain('Prairie Schools (3100301)');
    const alerts = await runRex(['node', 'alerts', '--config', lakes.config]);
    expect(alerts.code).toBe(0);
    expect(alerts.stdout).toContain('Incoming requests');
  });
});
