/**
 * SQL statements sent with real bind parameters, as named
 * (prepared) statements.
 *
 * MikroORM's `em.execute(sql, params)` inlines every parameter into the SQL
 * text: JSON bodies are escaped character by character, PostgreSQL parses a
 * new literal-laden statement every time and plans it again — for the
 * store's write CTE, planning cost more than executing. Through knex's raw
 * query the parameters go to PostgreSQL as `$1…` (extended query protocol),
 * and a statement name makes `pg` prepare each text once per connection, so
 * PostgreSQL can reuse the plan (PostgreSQL docs, "PREPARE": generic plans
 * after five executions). Also here: a transaction for native statements
 * that stays out of MikroORM's AsyncLocalStorage (inNativeTransaction).
 */
import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/knex';

/** Statement names by SQL text: the name is a digest of the text, so one name never stands for two texts. */
const names = new Map<string, string>();

/**
 * A text[] parameter passed as a JSON array (knex would expand a JS array
 * into a list). `col = ANY(TEXT_ARRAY)` probes an index once per element
 * whatever the planner's statistics say; `col IN (SELECT …)` over a JSON
 * batch lets it pick a hash join that reads every row of the table.
 */
export const TEXT_ARRAY = 'ARRAY(SELECT jsonb_array_elements_text(?::jsonb))';

/**
 * Runs `sql` (knex `?` placeholders) with `params` as bind parameters, in the
 * entity manager's transaction when there is one, and returns the rows.
 * PostgreSQL errors come back as `pg` errors (`code` is the SQLSTATE), not
 * MikroORM exceptions. `prepared` false sends an unnamed statement (planned
 * for its actual parameters each time).
 */
export async function boundRows<T>(em: EntityManager, sql: string, params: readonly unknown[], prepared = true): Promise<T[]> {
  const query = em.getConnection().getKnex().raw(sql, params as unknown[]);
  if (prepared) query.options({ name: statementName(sql) });
  const transaction = em.getTransactionContext<Knex.Transaction>();
  if (transaction) query.transacting(transaction);
  const result = (await query) as { rows: T[] };
  return result.rows;
}

/** Whether an error is PostgreSQL's unique_violation (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

function statementName(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `rex_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return name;
}

interface PooledConnection {
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

interface ConnectionPool {
  acquireConnection(): Promise<PooledConnection>;
  releaseConnection(connection: PooledConnection): Promise<void>;
}

/** Name and `$1…` text (from `?` placeholders, none inside literals) per SQL text, worked out once. */
const autocommitStatements = new Map<string, { name: string; text: string }>();

/**
 * Runs `sql` in autocommit straight through `pg` on a connection of the
 * ORM's pool, as a named statement with bind parameters: for statements run
 * once per message on hot paths (the zone queue), where even knex's raw
 * query showed in profiles. Never inside a transaction.
 */
export async function autocommitRows<T>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T[]> {
  const pool = em.getConnection().getKnex().client as unknown as ConnectionPool;
  let statement = autocommitStatements.get(sql);
  if (statement === undefined) {
    let n = 0;
    statement = { name: statementName(sql), text: sql.replace(/\?/g, () => `$${++n}`) };
    autocommitStatements.set(sql, statement);
  }
  const connection = await pool.acquireConnection();
  try {
    return (await connection.query({ ...statement, values: params })).rows as T[];
  } finally {
    await pool.releaseConnection(connection);
  }
}

/**
 * Runs `work` in a transaction on a fork of `em`, begun and ended on the
 * connection itself. Unlike `em.transactional`, this never enters MikroORM's
 * AsyncLocalStorage contexts, so `work` must write with native statements
 * (`insert`, `nativeUpdate`, `execute`), not `flush`. Its use: the router,
 * where the first AsyncLocalStorage context switches on async hooks for the
 * rest of the process (Node 20 and 22), which costs every signed call about
 * a tenth of its CPU.
 */
export async function inNativeTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  const connection = em.getConnection('write');
  const transaction = await connection.begin();
  const tx = em.fork({ clear: true });
  tx.setTransactionContext(transaction);
  try {
    const result = await work(tx);
    await connection.commit(transaction);
    return result;
  } catch (error) {
    await connection.rollback(transaction);
    throw error;
  }
}
