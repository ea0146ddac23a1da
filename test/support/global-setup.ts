import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { nodeSchema } from '../../src/node/node-schema.js';
import { routerSchema } from '../../src/router/router-schema.js';
import { migrate, openDatabase } from '../../src/storage/database.js';
import { ensureDatabase, startEmbeddedPostgres } from '../../src/storage/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the maintenance database of the test run's PostgreSQL. */
    pgAdminUrl: string;
  }
}

/**
 * Starts one embedded PostgreSQL for the whole test run and migrates the
 * router and node schemas once into template databases; each test file
 * clones a fresh database from a template (see test/support/database.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'rex-test-pg-'));
  const server = await startEmbeddedPostgres(dir);
  for (const schema of [routerSchema, nodeSchema]) {
    const name = `rex_template_${schema.name}`;
    await ensureDatabase(server.url('postgres'), name);
    const orm = await openDatabase(server.url(name), schema, 2);
    await migrate(orm, schema);
    await orm.close(true);
  }
  project.provide('pgAdminUrl', server.url('postgres'));
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
