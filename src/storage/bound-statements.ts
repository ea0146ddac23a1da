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
 * that stays out of MikroORM's AsyncLocalStorage (inNativeTransaction), and
 * one held on a raw `pg` connection for hot batch paths (inPgTransaction).
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
export async function boundRows<T>(em: EntityManager | PgTransaction, sql: string, params: readonly unknown[], prepared = true): Promise<T[]> {
  if (isPgTransaction(em)) return em.rows<T>(sql, params, prepared);
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
  query(config: { name?: string; text: string; values?: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

interface ConnectionPool {
  acquireConnection(): Promise<PooledConnection>;
  releaseConnection(connection: PooledConnection): Promise<void>;
}

/** Name and `$1…` text (from `?` placeholders, none inside literals) per SQL text, worked out once. */
const pgStatements = new Map<string, { name: string; text: string }>();

function pgStatement(sql: string): { name: string; text: string } {
  let statement = pgStatements.get(sql);
  if (statement === undefined) {
    let n = 0;
    statement = { name: statementName(sql), text: sql.replace(/\?/g, () => `$${++n}`) };
    pgStatements.set(sql, statement);
  }
  return statement;
}

/** Runs `sql` (`?` placeholders) on a `pg` connection with bind parameters, as a named statement unless `prepared` is false. */
async function rowsOn<T>(connection: PooledConnection, sql: string, params: readonly unknown[], prepared = true): Promise<T[]> {
  const { name, text } = pgStatement(sql);
  return (await connection.query(prepared ? { name, text, values: params } : { text, values: params })).rows as T[];
}

function poolOf(em: EntityManager): ConnectionPool {
  return em.getConnection().getKnex().client as unknown as ConnectionPool;
}

/**
 * Runs `sql` in autocommit straight through `pg` on a connection of the
 * ORM's pool, as a named statement with bind parameters: for statements run
 * once per message on hot paths (the zone queue), where even knex's raw
 * query showed in profiles. Never inside a transaction.
 */
export async function autocommitRows<T>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T[]> {
  const pool = poolOf(em);
  const connection = await pool.acquireConnection();
  try {
    return await rowsOn<T>(connection, sql, params);
  } finally {
    await pool.releaseConnection(connection);
  }
}

/**
 * A transaction held on one pooled `pg` connection, that runs named
 * statements only (through `boundRows`). It never goes through knex or
 * MikroORM: for a hot path's batch transaction, knex's transaction and
 * query machinery took more CPU than the driver itself.
 */
export interface PgTransaction {
  readonly kind: 'pg-transaction';
  rows<T>(sql: string, params: readonly unknown[], prepared?: boolean): Promise<T[]>;
}

function isPgTransaction(target: EntityManager | PgTransaction): target is PgTransaction {
  return (target as PgTransaction).kind === 'pg-transaction';
}

/** How a pg transaction commits. */
export interface PgTransactionOptions {
  /**
   * Commit without waiting for the WAL flush (`synchronous_commit` off for
   * this transaction only). Only for work that a later synchronous commit
   * on the same server makes durable anyway: flushing the WAL up to that
   * later commit flushes this one too.
   */
  flushedLater?: boolean;
}

/**
 * Runs `work` in a transaction on a connection of the ORM's pool, begun and
 * ended with plain BEGIN and COMMIT (ROLLBACK when `work` throws).
 */
export async function inPgTransaction<T>(em: EntityManager, work: (tx: PgTransaction) => Promise<T>, options: PgTransactionOptions = {}): Promise<T> {
  const pool = poolOf(em);
  const connection = await pool.acquireConnection();
  const tx: PgTransaction = {
    kind: 'pg-transaction',
    rows: (sql, params, prepared) => rowsOn(connection, sql, params, prepared),
  };
  try {
    // One round trip for both (simple query protocol).
    await connection.query({ text: options.flushedLater ? 'BEGIN; SET LOCAL synchronous_commit TO off' : 'BEGIN' });
    const result = await work(tx);
    await connection.query({ text: 'COMMIT' });
    return result;
  } catch (error) {
    await connection.query({ text: 'ROLLBACK' }).catch(() => {});
    throw error;
  } finally {
    await pool.releaseConnection(connection);
  }
}

/**
 * Runs `work` in a transaction of its own without entering MikroORM's
 * AsyncLocalStorage (inNativeTransaction) when `em` is in none; inside a
 * caller's transaction, as em.transactional does (a savepoint), so that
 * `work` failing undoes only its own writes. `work` must write with native
 * statements. The node's zones and SIS agent use it: one message, zone
 * change or SIS object through em.transactional would switch on async
 * hooks in the node's threads for good.
 */
export async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return em.getTransactionContext() ? em.transactional(work) : inNativeTransaction(em, work);
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
