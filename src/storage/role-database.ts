import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RexConfig } from '../config/load-config.js';
import { migrate, openDatabase, type DatabaseSchema } from './database.js';
import { ensureDatabase, startEmbeddedPostgres, type PostgresServer } from './embedded-postgres.js';

/** A role's open database, and how to let go of it. */
export interface RoleDatabase {
  readonly orm: MikroORM;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Opens the database of a role: `databaseUrl` (DATABASE_URL) when set,
 * otherwise the embedded PostgreSQL kept in `dataDir/postgres`, started here
 * or shared with a running rex process of the same data directory.
 * Applies pending migrations unless told not to.
 */
export async function openRoleDatabase(
  config: RexConfig,
  schema: DatabaseSchema,
  options: { migrate?: boolean; poolMax?: number } = {},
): Promise<RoleDatabase> {
  let server: PostgresServer | undefined;
  let url = config.databaseUrl;
  if (!url) {
    server = await startEmbeddedPostgres(join(config.dataDir, 'postgres'));
    const database = `rex_${schema.name}`;
    await ensureDatabase(server.url('postgres'), database);
    url = server.url(database);
  }
  const orm = await openDatabase(url, schema, options.poolMax);
  if (options.migrate !== false) await migrate(orm, schema);
  return {
    orm,
    url,
    async close() {
      await orm.close(true);
      await server?.stop();
    },
  };
}
