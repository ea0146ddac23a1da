import type { EntityManager } from '@mikro-orm/postgresql';
import { boundRows } from '../storage/bound-statements.js';

/** Whether a message was processed now or had been processed before. */
export type InboxOutcome<T> = { kind: 'processed'; value: T } | { kind: 'duplicate' };

/**
 * Processes a received message exactly once: its id is recorded in the same
 * transaction as the work, so a redelivered message (the sender's outbox
 * delivers at least once) is recognised and its work is not done twice,
 * and a crash mid-work leaves neither the work nor the record behind.
 */
export async function processOnce<T>(
  em: EntityManager,
  message: { id: string; source: string },
  work: (tx: EntityManager) => Promise<T>,
): Promise<InboxOutcome<T>> {
  return em.transactional(async (tx) => {
    const inserted = await boundRows<{ id: string }>(
      tx,
      `INSERT INTO inbox_message (id, source) VALUES (?, ?) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [message.id, message.source],
    );
    if (inserted.length === 0) return { kind: 'duplicate' };
    return { kind: 'processed', value: await work(tx) };
  });
}
