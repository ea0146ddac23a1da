import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkConfig, type RexConfig } from '../config/load-config.js';
import { localRegistration, refreshStatus, registerWithRouter } from '../node/registration.js';
import { readNodeDocuments } from '../node/document-reader.js';
import { startNode, type RunningNode } from '../node/start-node.js';
import { approveDistrict } from '../router/registry.js';
import { startRouter, type RunningRouter } from '../router/start-router.js';
import { ensureDatabase, findFreePort, isPortFree, startEmbeddedPostgres, type PostgresServer } from '../storage/embedded-postgres.js';
import { DEMO_DISTRICTS, SANDBOX_ROUTER_PORT } from './demo-districts.js';
import { edfiSpec } from '../edfi/edfi-spec.js';
import { ProgressBar } from '../loading/progress.js';
import { seedIfEmpty } from '../loading/record-loads.js';
import { startSandboxSis } from '../sis-agent/sandbox-sis.js';
import { ensureSandboxLogins, type SandboxLogins } from './sandbox-logins.js';

/** A running sandbox: PostgreSQL, the router and the demo district nodes. */
export interface Sandbox {
  router: RunningRouter;
  nodes: Array<{ district: (typeof DEMO_DISTRICTS)[number]; node: RunningNode; configFile: string; logins: SandboxLogins }>;
  routerConfigFile: string;
  stop(): Promise<void>;
}

/**
 * Starts the sandbox in `dataDir`: one embedded PostgreSQL with a database
 * per role, the router and two demo districts. On first start the districts
 * register, accept the terms and are approved; later starts reuse all of it.
 * Each role's configuration is written next to its data so the CLI commands
 * printed at start work as they are.
 */
export async function startSandbox(dataDir: string, log: (line: string) => void = console.log): Promise<Sandbox> {
  const postgres = await startEmbeddedPostgres(join(dataDir, 'postgres'));
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const routerConfig = await roleConfig(postgres, dataDir, 'router', SANDBOX_ROUTER_PORT);
    const routerConfigFile = writeConfig(dataDir, 'router', routerConfig);
    const router = await startRouter(routerConfig);
    started.push(router);
    log(`router      ${router.url}`);
    const nodes: Sandbox['nodes'] = [];
    for (const district of DEMO_DISTRICTS) {
      const config = await roleConfig(postgres, dataDir, district.key, district.port, {
        district: { ncesId: district.ncesId, name: district.name, state: district.state },
        routerUrl: router.url,
        deliveryMode: 'push',
        applicationName: district.applicationName,
        edfi: { requireToken: true },
      });
      const configFile = writeConfig(dataDir, district.key, config);
      const node = await startNode(config);
      started.push(node);
      await seedDemoDistrict(config, node, log);
      await joinExchange(config, node, router, log);
      // A simulated SIS publishes SIF events into the node's district-sis zone (issue 5).
      started.push(startSandboxSis(node.url, config.node!.district, config.dataDir, log));
      nodes.push({ district, node, configFile, logins: await ensureSandboxLogins(config, node.database.orm) });
    }
    return {
      router,
      nodes,
      routerConfigFile,
      async stop() {
        for (const part of started.reverse()) await part.close();
        await postgres.stop();
      },
    };
  } catch (error) {
    for (const part of started.reverse()) await part.close().catch(() => {});
    await postgres.stop();
    throw error;
  }
}

/** Synthetic students per demo district, seeded at the first start (small, so that `npm start` stays quick). */
const DEMO_STUDENTS = 300;

/** Loads the demo district's synthetic students at its first start; a later start finds them and loads nothing. */
async function seedDemoDistrict(config: RexConfig, node: RunningNode, log: (line: string) => void): Promise<void> {
  const district = config.node!.district;
  const progress = new ProgressBar({ label: `seeding ${district.name}`, total: DEMO_STUDENTS });
  const summary = await seedIfEmpty(node.database.orm, edfiSpec(), { students: DEMO_STUDENTS, district }, { progress, onRejected: (r) => progress.log(`${r.at} ${r.resource}: ${r.reason}`) });
  if (!summary) return;
  progress.finish();
  log(`seeded      ${district.name}: ${summary.created} synthetic records (${DEMO_STUDENTS} students)${summary.rejected ? `, ${summary.rejected} rejected` : ''}`);
}

/** Registers and approves a demo district the first time; afterwards only refreshes its status. */
async function joinExchange(config: RexConfig, node: RunningNode, router: RunningRouter, log: (line: string) => void) {
  const district = config.node!.district;
  const orm = node.database.orm;
  const known = await localRegistration(orm);
  if (!known || known.exchangeStatus !== 'Active') {
    const registered = await registerWithRouter(config, orm, {
      acceptTerms: true,
      registeredBy: 'Administrator, System',
      endpoint: node.url,
      readDocuments: readNodeDocuments(orm),
    });
    if (!registered.ok) throw new Error(`sandbox: ${district.name} could not register: ${JSON.stringify(registered)}`);
    if (registered.status.registrationState === 'pending') {
      const approved = await approveDistrict(router.deps.orm.em.fork(), router.deps.ca, district.ncesId, config.router.certificateValidityDays);
      if (!approved.ok) throw new Error(`sandbox: approval of ${district.name} failed: ${approved.refusal.detail}`);
      router.deps.callers.invalidate(district.ncesId);
    }
  }
  const status = await refreshStatus(config, orm);
  const shown = status.ok ? `${status.status.exchangeStatus}${status.status.reason ? ` (${status.status.reason})` : ''}` : `Inactive (${'detail' in status ? status.detail : status.reason})`;
  log(`${district.state} node     ${node.url}   ${district.name}, NCES ${district.ncesId}: ${shown}`);
}

async function roleConfig(postgres: PostgresServer, dataDir: string, role: string, preferredPort: number, node?: RexConfig['node']): Promise<RexConfig> {
  const database = `rex_${role}`;
  await ensureDatabase(postgres.url('postgres'), database);
  const port = (await isPortFree(preferredPort)) ? preferredPort : await findFreePort();
  return checkConfig({
    dataDir: join(dataDir, role),
    databaseUrl: postgres.url(database),
    logLevel: 'warn',
    http: { host: '127.0.0.1', port },
    ...(node ? { node } : {}),
  });
}

function writeConfig(dataDir: string, role: string, config: RexConfig): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, `${role}.json`);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  const shown = relative(process.cwd(), file);
  return shown.startsWith('..') ? file : shown;
}
