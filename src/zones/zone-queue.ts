import type { EntityManager } from '@mikro-orm/postgresql';
import type { SifJsonDocument } from '../sif/json-mapping.js';
import { sifError, type SifError } from '../sif/sif-error.js';
import type { SifAck } from '../sif/sif-message.js';

/**
 * The durable per-agent delivery queue of a zone (SIF 2.x: the ZIS keeps
 * each agent's messages until the agent acknowledges them). Messages go to
 * an agent one at a time, oldest first, and are redelivered until a SIF_Ack
 * settles them. Selective Message Blocking (SMB): an intermediate ack
 * (status 2) to an event keeps that event, "blocked", and freezes further
 * events to the agent until the final ack (status 3); requests and
 * responses still flow.
 */

/** What a queued message is. */
export type QueueKind = 'event' | 'request' | 'response';

/** A queued message. */
export interface QueuedMessage {
  id: string;
  zoneId: string;
  target: string;
  msgId: string;
  kind: QueueKind;
  document: SifJsonDocument;
  state: 'queued' | 'blocked';
  attempts: number;
}

interface QueueRow {
  id: string;
  zone_id: string;
  target: string;
  msg_id: string;
  kind: QueueKind;
  message: SifJsonDocument;
  state: 'queued' | 'blocked';
  attempts: number;
}

function fromRow(r: QueueRow): QueuedMessage {
  return { id: String(r.id), zoneId: r.zone_id, target: r.target, msgId: r.msg_id, kind: r.kind, document: r.message, state: r.state, attempts: r.attempts };
}

const COLUMNS = 'id, zone_id, target, msg_id, kind, message, state, attempts';

/** Adds a message to an agent's queue (a second copy of one msg id is ignored). */
export async function enqueueFor(em: EntityManager, zoneId: string, target: string, msgId: string, kind: QueueKind, document: SifJsonDocument): Promise<void> {
  await em.execute(
    `INSERT INTO zone_queue (zone_id, target, msg_id, kind, message) VALUES (?, ?, ?, ?, ?) ON CONFLICT (zone_id, target, msg_id) DO NOTHING`,
    [zoneId, target, msgId, kind, JSON.stringify(document)],
  );
}

/**
 * Queues an event for every agent subscribed to its object that still holds
 * the Subscribe right, except the publisher, in one statement; resolves
 * with how many agents it was queued for.
 */
export async function enqueueForSubscribers(em: EntityManager, zoneId: string, objectName: string, publisher: string, msgId: string, document: SifJsonDocument): Promise<number> {
  const rows = await em.execute<Array<{ target: string }>>(
    `INSERT INTO zone_queue (zone_id, target, msg_id, kind, message)
     SELECT p.zone_id, p.source_id, ?, 'event', ?::json FROM zone_provision p
       JOIN zone_agent_right r ON r.zone_id = p.zone_id AND r.source_id = p.source_id AND r.object_name = p.object_name
      WHERE p.zone_id = ? AND p.object_name = ? AND p.role = 'subscribe' AND p.source_id <> ? AND 'Subscribe' = ANY(r.rights)
      ORDER BY p.source_id
     ON CONFLICT (zone_id, target, msg_id) DO NOTHING
     RETURNING target`,
    [msgId, JSON.stringify(document), zoneId, objectName, publisher],
  );
  return rows.length;
}

/** The SQL condition "this row may be delivered now, SMB permitting", for alias q. */
const DELIVERABLE = `q.state = 'queued'
  AND (q.kind <> 'event' OR NOT EXISTS (
    SELECT 1 FROM zone_queue b WHERE b.zone_id = q.zone_id AND b.target = q.target AND b.state = 'blocked'))`;

/**
 * The message a pull agent gets with SIF_GetMessage: its oldest deliverable
 * message, the same one again until it is acknowledged.
 */
export async function nextForPull(em: EntityManager, zoneId: string, target: string): Promise<QueuedMessage | undefined> {
  const rows = await em.execute<QueueRow[]>(
    `UPDATE zone_queue SET attempts = attempts + 1
      WHERE id = (SELECT q.id FROM zone_queue q WHERE q.zone_id = ? AND q.target = ? AND ${DELIVERABLE} ORDER BY q.id LIMIT 1)
      RETURNING ${COLUMNS}`,
    [zoneId, target],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** A claimed message with its agent's delivery settings. */
export type ClaimedMessage = QueuedMessage & { mode: 'Push' | 'Internal'; url: string | null; format: 'xml' | 'json' };

/**
 * Claims, for push and internal agents that are awake, the due messages at
 * the head of each agent's queue, for at most `limit` agents: a push agent
 * gets one message at a time; the node's own (internal) agent up to
 * `internalBatch` consecutive messages, in order. Nothing is claimed for an
 * agent whose head is in flight or waits for a retry, so order holds. The
 * lease makes a crashed delivery come back.
 *
 * The heads are found per registration (LATERAL … ORDER BY id LIMIT n on
 * the zone_queue_head index), so a claim costs the same with a long backlog.
 */
export async function claimDue(em: EntityManager, limit: number, leaseMs: number, internalBatch = 1): Promise<ClaimedMessage[]> {
  const rows = await em.execute<Array<QueueRow & { mode: 'Push' | 'Internal'; url: string | null; format: 'xml' | 'json' }>>(
    `WITH candidates AS (
       SELECT c.id, r.zone_id, r.source_id,
              bool_and(c.due) OVER (PARTITION BY r.zone_id, r.source_id ORDER BY c.id) AS in_prefix
         FROM zone_registration r
         CROSS JOIN LATERAL (
           SELECT q.id, (q.next_attempt_at <= now() AND (q.locked_until IS NULL OR q.locked_until < now())) AS due
             FROM zone_queue q
            WHERE q.zone_id = r.zone_id AND q.target = r.source_id AND ${DELIVERABLE}
            ORDER BY q.id
            LIMIT CASE WHEN r.mode = 'Internal' THEN ?::int ELSE 1 END) c
        WHERE r.mode IN ('Push', 'Internal') AND NOT r.sleeping),
     agents AS (
       SELECT zone_id, source_id FROM candidates WHERE in_prefix GROUP BY zone_id, source_id ORDER BY min(id) LIMIT ?),
     picked AS (
       SELECT c.id FROM candidates c JOIN agents a ON a.zone_id = c.zone_id AND a.source_id = c.source_id WHERE c.in_prefix)
     UPDATE zone_queue z SET locked_until = now() + (? * interval '1 millisecond'), attempts = z.attempts + 1
       FROM zone_registration r
      WHERE z.id IN (SELECT id FROM picked) AND r.zone_id = z.zone_id AND r.source_id = z.target
        AND z.next_attempt_at <= now() AND (z.locked_until IS NULL OR z.locked_until < now())
      RETURNING z.id, z.zone_id, z.target, z.msg_id, z.kind, z.message, z.state, z.attempts, r.mode, r.url, r.format`,
    [Math.max(1, internalBatch), limit, leaseMs],
  );
  return rows
    .map((r) => ({ ...fromRow(r), mode: r.mode, url: r.url, format: r.format }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
}

/** Removes messages an in-process agent has processed (one statement for a batch). */
export async function removeDelivered(em: EntityManager, ids: string[]): Promise<void> {
  if (ids.length > 0) await em.execute('DELETE FROM zone_queue WHERE id = ANY(?::bigint[])', [`{${ids.join(',')}}`]);
}

/** Gives claimed messages back without an attempt counted against them (a batch stopped before them). */
export async function releaseClaimed(em: EntityManager, ids: string[]): Promise<void> {
  if (ids.length > 0) await em.execute('UPDATE zone_queue SET locked_until = NULL, attempts = greatest(attempts - 1, 0) WHERE id = ANY(?::bigint[])', [`{${ids.join(',')}}`]);
}

/** Puts a message back for a later attempt (transport failure, agent asleep). */
export async function retryLater(em: EntityManager, id: string, delayMs: number, error: string): Promise<void> {
  await em.execute(
    `UPDATE zone_queue SET locked_until = NULL, next_attempt_at = now() + (? * interval '1 millisecond'), last_error = ? WHERE id = ?`,
    [delayMs, error.slice(0, 2000), id],
  );
}

/** How an agent's SIF_Ack settled a delivered message. */
export type Settlement = { kind: 'removed' } | { kind: 'blocked' } | { kind: 'retry'; reason: string } | { kind: 'refused'; error: SifError };

/**
 * Applies an agent's SIF_Ack to the queued message it acknowledges
 * (SIF_OriginalMsgId): status 1, 7 or an error removes it; status 2 blocks
 * an event (SMB); status 3 removes a blocked event and unblocks; status 8
 * (the agent sleeps) keeps it for later.
 */
export async function settleWithAck(em: EntityManager, zoneId: string, target: string, ack: SifAck): Promise<Settlement> {
  const code = ack.error ? undefined : ack.status?.code;
  // The common case in one statement: a final ack (success or error) to a message that is not blocked.
  if (code === undefined || !SPECIAL_ACK_CODES.has(code)) {
    const removed = await em.execute<Array<{ id: string }>>(`DELETE FROM zone_queue WHERE zone_id = ? AND target = ? AND msg_id = ? AND state = 'queued' RETURNING id`, [
      zoneId,
      target,
      ack.originalMsgId ?? '',
    ]);
    if (removed.length > 0) return { kind: 'removed' };
  }
  return settleSpecial(em, zoneId, target, ack, code);
}

/** Ack status codes that do more than remove the message (SMB 2 and 3, sleeping 8) or that only a ZIS sends (0, 9). */
const SPECIAL_ACK_CODES = new Set([0, 2, 3, 8, 9]);

async function settleSpecial(em: EntityManager, zoneId: string, target: string, ack: SifAck, code: number | undefined): Promise<Settlement> {
  const rows = await em.execute<QueueRow[]>(`SELECT ${COLUMNS} FROM zone_queue WHERE zone_id = ? AND target = ? AND msg_id = ? FOR UPDATE`, [
    zoneId,
    target,
    ack.originalMsgId ?? '',
  ]);
  const row = rows[0];
  if (!row) return { kind: 'refused', error: sifError(12, 6, `no message ${ack.originalMsgId ?? '(nil)'} is waiting for ${target}`) };
  if (code === 2) {
    if (row.kind !== 'event') return { kind: 'refused', error: sifError(13, 2, `${row.msg_id} is a ${row.kind}, not a SIF_Event`) };
    await em.execute(`UPDATE zone_queue SET state = 'blocked', locked_until = NULL WHERE id = ?`, [row.id]);
    return { kind: 'blocked' };
  }
  if (code === 3) {
    if (row.state !== 'blocked') return { kind: 'refused', error: sifError(13, 4, `${row.msg_id} is not blocked by an intermediate SIF_Ack`) };
  } else if (row.state === 'blocked') {
    return { kind: 'refused', error: sifError(13, 3, `${row.msg_id} waits for a final SIF_Ack (status 3)`) };
  }
  if (code === 8) {
    await retryLater(em, row.id, 5_000, 'the agent is sleeping');
    return { kind: 'retry', reason: 'the agent is sleeping' };
  }
  if (code === 0 || code === 9) return { kind: 'refused', error: sifError(12, 5, `status ${code} is sent only by a ZIS`) };
  await em.execute('DELETE FROM zone_queue WHERE id = ?', [row.id]);
  return { kind: 'removed' };
}

/** How many messages wait for an agent, by state (status pages, tests). */
export async function queueDepth(em: EntityManager, zoneId: string, target: string): Promise<{ queued: number; blocked: number }> {
  const rows = await em.execute<Array<{ state: string; count: string }>>(
    'SELECT state, count(*) AS count FROM zone_queue WHERE zone_id = ? AND target = ? GROUP BY state',
    [zoneId, target],
  );
  const depth = { queued: 0, blocked: 0 };
  for (const r of rows) depth[r.state as 'queued' | 'blocked'] = Number(r.count);
  return depth;
}
