import type { EntityManager } from '@mikro-orm/postgresql';
import { boundRows } from '../storage/bound-statements.js';

/**
 * A durable outbox in PostgreSQL (DESIGN §6: "each node keeps a durable
 * outbox and retries with backoff"). A message is enqueued in the same
 * transaction as the change that causes it, so a crash can lose neither.
 * Workers claim due messages with a lease (FOR UPDATE SKIP LOCKED), so
 * several workers never send one message at once, and a worker killed
 * mid-delivery leaves its messages to be claimed again when the lease ends.
 * Delivery is therefore at least once; receivers make it exactly once by
 * recording message ids in their inbox (see inbox.ts).
 */

/** A message waiting for delivery. */
export interface OutboxMessage {
  id: string;
  destination: string;
  contentType: string;
  body: Buffer;
  attempts: number;
}

/** What a delivery attempt came to. */
export type DeliveryOutcome = { kind: 'delivered' } | { kind: 'retry'; error: string } | { kind: 'failed'; error: string };

/** Retry timing: exponential backoff with jitter, capped. */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

/** Retries start at 1 s and double up to 5 minutes; after 50 attempts (about four hours) a message fails. */
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1000, maxMs: 5 * 60_000, maxAttempts: 50 };

/** Adds a message to the outbox; a second enqueue of the same id changes nothing. */
export async function enqueue(em: EntityManager, message: Omit<OutboxMessage, 'attempts'>): Promise<void> {
  await boundRows(
    em,
    `INSERT INTO outbox_message (id, destination, content_type, body) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    [message.id, message.destination, message.contentType, message.body],
  );
}

/** Claims up to `limit` due messages for `leaseMs`. */
export async function claimDue(em: EntityManager, limit: number, leaseMs: number): Promise<OutboxMessage[]> {
  const rows = await boundRows<{ id: string; destination: string; content_type: string; body: Buffer; attempts: number }>(
    em,
    `UPDATE outbox_message SET locked_until = now() + (?::integer * interval '1 millisecond')
      WHERE id IN (
        SELECT id FROM outbox_message
         WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
         ORDER BY next_attempt_at
         LIMIT ?::integer FOR UPDATE SKIP LOCKED)
      RETURNING id, destination, content_type, body, attempts`,
    [leaseMs, limit],
  );
  return rows.map((r) => ({ id: r.id, destination: r.destination, contentType: r.content_type, body: r.body, attempts: r.attempts }));
}

/** Records the outcome of one attempt: delivered, failed for good, or due again after a backoff. */
export async function settle(em: EntityManager, message: OutboxMessage, outcome: DeliveryOutcome, policy = DEFAULT_RETRY): Promise<void> {
  if (outcome.kind === 'delivered') {
    // The body may hold a student's records before sealing: once delivered it is dropped, and only the
    // row stays, so the id keeps a second enqueue of the same message from sending it again.
    await boundRows(
      em,
      `UPDATE outbox_message SET status = 'delivered', delivered_at = now(), attempts = attempts + 1, locked_until = NULL, body = ''::bytea WHERE id = ?`,
      [message.id],
    );
    return;
  }
  const attempts = message.attempts + 1;
  const failed = outcome.kind === 'failed' || attempts >= policy.maxAttempts;
  await boundRows(
    em,
    `UPDATE outbox_message
        SET status = ?, attempts = ?::integer, last_error = ?, locked_until = NULL,
            next_attempt_at = now() + (?::integer * interval '1 millisecond')
      WHERE id = ?`,
    [failed ? 'failed' : 'pending', attempts, outcome.error.slice(0, 2000), backoffMs(attempts, policy), message.id],
  );
}

/** The wait before attempt `attempts + 1`: base × 2^(attempts−1), capped, with ±20% jitter. */
export function backoffMs(attempts: number, policy: RetryPolicy, random = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

/** Counts messages by status, for status pages and tests. */
export async function outboxCounts(em: EntityManager): Promise<Record<'pending' | 'delivered' | 'failed', number>> {
  const rows = await em.execute<Array<{ status: string; count: string }>>(
    `SELECT status, count(*) AS count FROM outbox_message GROUP BY status`,
  );
  const counts = { pending: 0, delivered: 0, failed: 0 };
  for (const row of rows) counts[row.status as keyof typeof counts] = Number(row.count);
  return counts;
}
