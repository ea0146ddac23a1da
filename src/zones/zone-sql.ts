import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The zone's hot statements sent straight through `pg` on a connection of
 * the ORM's pool: a named (prepared) statement with real bind parameters,
 * outside any transaction (each statement commits on its own). MikroORM's
 * `execute` inlines parameters into the SQL text and knex's raw query adds
 * its own work on every call; at thousands of messages per second both
 * showed in profiles, so the statements the zone runs once per message
 * (zone-queue.ts fast paths) skip them. PostgreSQL errors come back as `pg`
 * errors (`code` is the SQLSTATE).
 */

interface PgConnection {
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

interface PoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/** `?` placeholders turned into `$1…`, and a statement name, per SQL text. */
const statements = new Map<string, { name: string; text: string }>();

function statement(sql: string): { name: string; text: string } {
  let found = statements.get(sql);
  if (!found) {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    found = { name: `rex_zone_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`, text };
    statements.set(sql, found);
  }
  return found;
}

/** Runs `sql` (`?` placeholders, none inside literals) with `params` in autocommit and returns its rows. */
export async function zoneRows<T>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T[]> {
  const pool = em.getConnection().getKnex().client as unknown as PoolClient;
  const { name, text } = statement(sql);
  const connection = await pool.acquireConnection();
  try {
    return (await connection.query({ name, text, values: params })).rows as T[];
  } finally {
    await pool.releaseConnection(connection);
  }
}
