import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { checkConfig, type NodeSettings, type RexConfig } from '../../src/config/load-config.js';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';
import { seedSyntheticDistrict } from '../../src/loading/record-loads.js';
import { RecordWriter } from '../../src/loading/record-writer.js';
import { readNodeDocuments } from '../../src/node/document-reader.js';
import { refreshStatus, registerWithRouter } from '../../src/node/registration.js';
import { startNode, type RunningNode } from '../../src/node/start-node.js';
import { approveDistrict } from '../../src/router/registry.js';
import { startRouter, type RunningRouter } from '../../src/router/start-router.js';
import { findFreePort } from '../../src/storage/embedded-postgres.js';
import { createSession } from '../../src/users/sessions.js';
import { createUser } from '../../src/users/user-store.js';
import type { ToolRight } from '../../src/users/tool-rights.js';
import { createTestDatabase } from './database.js';

/**
 * A router and district nodes in this process, each listening on its own
 * port over real HTTP and its own database, registered and approved: the
 * national records-transfer workflow end to end without child processes.
 */
export interface TestDistrictNode extends DistrictDb {
  config: RexConfig;
  node: RunningNode;
}

/** A district and its node's database (in this process or another). */
export interface DistrictDb {
  ncesId: string;
  name: string;
  state: string;
  orm: MikroORM;
}

/** The district the network's nodes are made for. */
export interface DistrictSpec {
  ncesId: string;
  name: string;
  state: string;
  settings?: Partial<NodeSettings>;
}

/** A running router with nodes. */
export interface TransferNetwork {
  router: RunningRouter;
  nodes: TestDistrictNode[];
  close(): Promise<void>;
}

/**
 * Starts a router and one node per district, registers and approves each.
 * Databases come from `databaseFor` (by default fresh test databases).
 */
export async function startTransferNetwork(
  districts: readonly DistrictSpec[],
  databaseFor: (role: 'router' | 'node') => Promise<string> = createTestDatabase,
): Promise<TransferNetwork> {
  const dir = mkdtempSync(join(tmpdir(), 'rex-transfer-'));
  const routerConfig = checkConfig({
    dataDir: join(dir, 'router'),
    databaseUrl: await databaseFor('router'),
    logLevel: 'silent',
    http: { host: '127.0.0.1', port: await findFreePort() },
  });
  const router = await startRouter(routerConfig);
  const nodes: TestDistrictNode[] = [];
  try {
    for (const d of districts) {
      const config = checkConfig({
        dataDir: join(dir, d.ncesId),
        databaseUrl: await databaseFor('node'),
        logLevel: 'silent',
        http: { host: '127.0.0.1', port: await findFreePort() },
        node: { district: { ncesId: d.ncesId, name: d.name, state: d.state }, routerUrl: router.url, applicationName: `rex-${d.ncesId}`, ...d.settings },
      });
      const node = await startNode(config);
      nodes.push({ ...d, config, node, orm: node.database.orm });
      const registered = await registerWithRouter(config, node.database.orm, {
        acceptTerms: true,
        registeredBy: 'Administrator, System',
        endpoint: node.url,
        readDocuments: readNodeDocuments(node.database.orm),
      });
      if (!registered.ok) throw new Error(`registration of ${d.name} failed: ${JSON.stringify(registered)}`);
      const approved = await approveDistrict(router.deps.orm.em.fork(), router.deps.ca, d.ncesId, 365);
      if (!approved.ok) throw new Error(`approval of ${d.name} failed: ${approved.refusal.detail}`);
      router.deps.callers.invalidate(d.ncesId);
      const status = await refreshStatus(config, node.database.orm);
      if (!status.ok || status.status.exchangeStatus !== 'Active') throw new Error(`${d.name} is not active: ${JSON.stringify(status)}`);
    }
  } catch (error) {
    for (const n of nodes) await n.node.close().catch(() => {});
    await router.close();
    throw error;
  }
  return {
    router,
    nodes,
    async close() {
      for (const n of nodes) await n.node.close();
      await router.close();
    },
  };
}

/** Loads a small synthetic district into a node; returns its students' ids in order. */
export async function seedStudents(district: DistrictDb, students: number, seed?: number): Promise<string[]> {
  const summary = await seedSyntheticDistrict(district.orm, edfiSpec(), { students, district: { ncesId: district.ncesId, name: district.name, state: district.state }, ...(seed !== undefined ? { seed } : {}) });
  if (summary.rejected > 0) throw new Error(`${summary.rejected} synthetic records were rejected`);
  const rows = await district.orm.em.fork().execute<Array<{ id: string }>>(`SELECT identity->>'studentUniqueId' AS id FROM edfi_document WHERE resource = 'ed-fi/students' ORDER BY seq`);
  return rows.map((r) => r.id);
}

/**
 * Enrols a student of `from` in `to` as a new district would: the student
 * document (same names and birth date, a new id) and an association with
 * `to`'s local education agency carrying the sex and identification codes
 * (SSN). `change` edits the copy (to make near matches). Returns the new id.
 */
export async function enrolCopy(
  from: DistrictDb,
  to: DistrictDb,
  studentUniqueId: string,
  change: (student: Record<string, unknown>, seoa: Record<string, unknown>) => void = () => {},
  newId = `N${studentUniqueId}`,
): Promise<string> {
  const rows = await from.orm.em.fork().execute<Array<{ resource: string; body: Record<string, unknown> }>>(
    `SELECT resource, body FROM edfi_document WHERE identity->>'studentUniqueId' = ? AND resource IN ('ed-fi/students', 'ed-fi/studentEducationOrganizationAssociations') ORDER BY seq`,
    [studentUniqueId],
  );
  const student = structuredClone(rows.find((r) => r.resource === 'ed-fi/students')!.body);
  const original = rows.find((r) => r.resource !== 'ed-fi/students')?.body ?? {};
  student.studentUniqueId = newId;
  const seoa: Record<string, unknown> = {
    studentReference: { studentUniqueId: newId },
    educationOrganizationReference: { educationOrganizationId: Number(to.ncesId) },
    ...(original.sexDescriptor ? { sexDescriptor: original.sexDescriptor } : {}),
    ...(original.studentIdentificationCodes
      ? { studentIdentificationCodes: (original.studentIdentificationCodes as Array<Record<string, unknown>>).filter((c) => c.assigningOrganizationIdentificationCode === 'SSA') }
      : {}),
  };
  change(student, seoa);
  await writeRecords(to, [
    { resource: 'students', document: student },
    { resource: 'studentEducationOrganizationAssociations', document: seoa },
  ]);
  return newId;
}

/** Writes Ed-Fi records through the engine; throws on any refusal. */
export async function writeRecords(district: DistrictDb, records: Array<{ resource: string; document: unknown }>): Promise<void> {
  const outcomes = await new RecordWriter(district.orm, edfiSpec()).write(records);
  const failed = outcomes.filter((o) => o.status >= 300);
  if (failed.length > 0) throw new Error(`records refused: ${JSON.stringify(failed).slice(0, 800)}`);
}

/**
 * Creates a console user and returns an Authorization header for them: a
 * session bearer token (cheap to check, so polling stays fast), or HTTP
 * Basic credentials (one scrypt per call) when `basic` is set.
 */
export async function userWith(district: DistrictDb, username: string, rights: ToolRight[], basic = false): Promise<string> {
  const password = `${username}-correct-horse`;
  const created = await createUser(district.orm.em.fork(), { username, displayName: `User, ${username}`, password, rights });
  if (created.kind !== 'created') throw new Error(`user ${username}: ${created.kind}`);
  if (basic) return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const session = await createSession(district.orm.em.fork(), created.user.id);
  return `Bearer ${session.token}`;
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
