import type { EntityManager } from '@mikro-orm/postgresql';
import { autocommitRows, isUniqueViolation } from '../storage/bound-statements.js';
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

/**
 * A message that is not blocked, for lookups by SIF_MsgId. Written as
 * `<> 'blocked'`, not `= 'queued'` (the same rows), so that the planner
 * cannot use the partial head index for them and always probes the unique
 * key (Migration20261126ZoneQueueHeadQueued).
 */
const NOT_BLOCKED = `state <> 'blocked'`;

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
  // A named statement with bind parameters: planned anew for every claim, it took about half as long to plan as to run.
  const rows = await autocommitRows<QueueRow & { mode: 'Push' | 'Internal'; url: string | null; format: 'xml' | 'json' }>(
    em,
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
       SELECT zone_id, source_id FROM candidates WHERE in_prefix GROUP BY zone_id, source_id ORDER BY min(id) LIMIT ?::int),
     picked AS (
       SELECT c.id FROM candidates c JOIN agents a ON a.zone_id = c.zone_id AND a.source_id = c.source_id WHERE c.in_prefix)
     UPDATE zone_queue z SET locked_until = now() + (?::int * interval '1 millisecond'), attempts = z.attempts + 1
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

/**
 * Removes messages an in-process agent has processed (one statement for a
 * batch). Committed synchronously: the WAL flush of this commit also makes
 * durable what the agent committed without waiting for one (the SIS node
 * agent's batches), so a removed message's effects are never lost.
 */
export async function removeDelivered(em: EntityManager, ids: string[]): Promise<void> {
  if (ids.length > 0) await autocommitRows(em, 'DELETE FROM zone_queue WHERE id = ANY(?::bigint[])', [`{${ids.join(',')}}`]);
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
    const removed = await em.execute<Array<{ id: string }>>(`DELETE FROM zone_queue WHERE zone_id = ? AND target = ? AND msg_id = ? AND ${NOT_BLOCKED} RETURNING id`, [
      zoneId,
      target,
      ack.originalMsgId ?? '',
    ]);
    if (removed.length > 0) return { kind: 'removed' };
  }
  return settleSpecial(em, zoneId, target, ack, code);
}

/** Ack status codes that do more than remove the message (SMB 2 and 3, sleeping 8) or that only a ZIS sends (0, 9): never on a fast path. */
export const SPECIAL_ACK_CODES: ReadonlySet<number> = new Set([0, 2, 3, 8, 9]);

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

/*
 * Fast paths of the messages a busy zone sees most: SIF_Events
 * (publishEventsFast) and final SIF_Acks (ackFast) are ONE statement in
 * autocommit — one round trip and one commit instead of BEGIN, admit, work
 * and COMMIT. Each writes only when the outcome is certain success (the
 * sender is registered, is an agent of the zone, holds the right, and the
 * SIF_MsgId is new); otherwise it writes nothing and the caller falls back
 * to the general path (zone-server.ts), which works out the exact status or
 * SIF_Error. So these fast paths change no behaviour, only the cost of the
 * common case. A pull agent's SIF_GetMessage and SIF_Ack are served from
 * memory by its pull session (pull-sessions.ts), through readPullHead and
 * writePullSessions below.
 */

/** Whether a SIF_MsgId from an agent was already received (read before the statement's own insert). */
const SEEN = `EXISTS (SELECT 1 FROM zone_received s WHERE s.zone_id = ? AND s.source_id = ? AND s.msg_id = ?)`;

/** The sender's registration as a lateral row: (mode, sleeping), its agent entry, and its rights on one object. */
const SENDER = (lock: 'FOR UPDATE') => `
  reg AS (SELECT mode, sleeping FROM zone_registration WHERE zone_id = ? AND source_id = ? ${lock}),
  agent AS (SELECT 1 FROM zone_agent WHERE zone_id = ? AND source_id = ?)`;

/**
 * Fast path of a final SIF_Ack (not status 2, 3 or 8) from a registered
 * (non-internal) agent to a message waiting for it that is not blocked:
 * removes the message and records the SIF_MsgId. Resolves with the agent's
 * mode, or undefined when nothing was written (a concurrent duplicate of
 * the msg id included: the unique key makes the statement fail whole).
 *
 * Committed without waiting for the WAL flush (synchronous_commit off for
 * this transaction only): a pull agent drains its queue one message at a
 * time, so every flush would be waited for in sequence. What a crash of
 * PostgreSQL (not of the node) can undo is the removal of the last
 * acknowledged messages, which are then delivered again — as after an ack
 * lost in transit, which SIF's redelivery until acknowledged already makes
 * every agent expect. A message can never be lost this way: it is only
 * ever removed.
 */
export async function ackFast(em: EntityManager, zoneId: string, source: string, msgId: string, originalMsgId: string): Promise<'Push' | 'Pull' | undefined> {
  try {
    const rows = await autocommitRows<{ mode: 'Push' | 'Pull' | null }>(
      em,
      `WITH ${SENDER('FOR UPDATE')},
       allowed AS (SELECT reg.mode FROM reg, agent WHERE reg.mode <> 'Internal' AND NOT ${SEEN}),
       removed AS (
         DELETE FROM zone_queue WHERE zone_id = ? AND target = ? AND msg_id = ? AND ${NOT_BLOCKED} AND EXISTS (SELECT 1 FROM allowed)
         RETURNING id),
       fresh AS (INSERT INTO zone_received (zone_id, source_id, msg_id) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM removed) RETURNING msg_id)
       SELECT (SELECT mode FROM allowed) AS mode, set_config('synchronous_commit', 'off', true) AS sync FROM fresh`,
      [zoneId, source, zoneId, source, zoneId, source, msgId, zoneId, source, originalMsgId, zoneId, source, msgId],
    );
    return rows[0]?.mode ?? undefined;
  } catch (error) {
    if (isUniqueViolation(error)) return undefined;
    throw error;
  }
}

/** A SIF_Event for the batched fast path. */
export interface FastEvent {
  zoneId: string;
  publisher: string;
  msgId: string;
  objectName: string;
  /** The publish right the event's action needs (PublishAdd, PublishChange, PublishDelete). */
  right: string;
  /** The message in the JSON form, serialized (JSON text: the batch embeds it as it is). */
  document: string;
}

/**
 * The events as two JSON arrays: their fields as rows, and their message
 * documents, each embedded as the JSON text it already is. PostgreSQL parses
 * each parameter once (text arrays would be escaped by the driver character
 * by character), and the documents are split off with json_array_elements,
 * which hands each one on as it is: as a field of a record it would be
 * copied and then validated once more for the `json` column. The `json` type
 * keeps each document's text, so SIF element order survives.
 */
function eventParams(events: readonly FastEvent[]): [string, string] {
  const rows = events.map((e, n) => ({ n, zone_id: e.zoneId, source_id: e.publisher, msg_id: e.msgId, object_name: e.objectName, right_name: e.right }));
  return [JSON.stringify(rows), `[${events.map((e) => e.document).join(',')}]`];
}

/**
 * Fast path of SIF_Events, many in ONE statement (and one commit): each
 * event whose publisher is registered (not internal), is an agent of the
 * zone and holds `right` on its object, and whose SIF_MsgId is new, is
 * recorded and queued, in input order, for every subscriber still holding
 * Subscribe, except the publisher; publishers' registrations are
 * share-locked as in the general path. The events must have distinct (zone, publisher,
 * msg id). Resolves, per event, with whether it was recorded and queued
 * (false: nothing written for it, the general path decides), and whether
 * anything was queued at all.
 */
export async function publishEventsFast(em: EntityManager, events: readonly FastEvent[]): Promise<{ fresh: boolean[]; queued: number }> {
  const rows = await autocommitRows<{ n: number | null; queued: number }>(
    em,
    `WITH input AS (
       SELECT i.*, m.message FROM json_to_recordset(?::json) AS i(n int, zone_id text, source_id text, msg_id text, object_name text, right_name text)
         JOIN json_array_elements(?::json) WITH ORDINALITY AS m(message, k) ON m.k = i.n + 1),
     reg AS (
       SELECT r.zone_id, r.source_id FROM zone_registration r
        WHERE (r.zone_id, r.source_id) IN (SELECT zone_id, source_id FROM input) AND r.mode <> 'Internal'
        FOR SHARE),
     allowed AS (
       SELECT i.* FROM input i
        WHERE EXISTS (SELECT 1 FROM reg WHERE reg.zone_id = i.zone_id AND reg.source_id = i.source_id)
          AND EXISTS (SELECT 1 FROM zone_agent a WHERE a.zone_id = i.zone_id AND a.source_id = i.source_id)
          AND NOT EXISTS (SELECT 1 FROM zone_received s WHERE s.zone_id = i.zone_id AND s.source_id = i.source_id AND s.msg_id = i.msg_id)
          AND EXISTS (SELECT 1 FROM zone_agent_right r WHERE r.zone_id = i.zone_id AND r.source_id = i.source_id AND r.object_name = i.object_name AND i.right_name = ANY(r.rights))),
     fresh AS (
       INSERT INTO zone_received (zone_id, source_id, msg_id) SELECT zone_id, source_id, msg_id FROM allowed
       ON CONFLICT DO NOTHING RETURNING zone_id, source_id, msg_id),
     accepted AS (
       SELECT i.* FROM input i JOIN fresh f ON f.zone_id = i.zone_id AND f.source_id = i.source_id AND f.msg_id = i.msg_id),
     queued AS (
       INSERT INTO zone_queue (zone_id, target, msg_id, kind, message)
       SELECT p.zone_id, p.source_id, i.msg_id, 'event', i.message FROM accepted i
         JOIN zone_provision p ON p.zone_id = i.zone_id AND p.object_name = i.object_name AND p.role = 'subscribe' AND p.source_id <> i.source_id
         JOIN zone_agent_right r ON r.zone_id = p.zone_id AND r.source_id = p.source_id AND r.object_name = p.object_name
        WHERE 'Subscribe' = ANY(r.rights)
        ORDER BY i.n, p.source_id
       ON CONFLICT (zone_id, target, msg_id) DO NOTHING
       RETURNING 1)
     SELECT a.n, (SELECT count(*) FROM queued)::int AS queued FROM (SELECT 1) one LEFT JOIN accepted a ON true`,
    eventParams(events),
  );
  const fresh = events.map(() => false);
  for (const row of rows) if (row.n !== null) fresh[row.n] = true;
  return { fresh, queued: rows[0]?.queued ?? 0 };
}

/** The head of a pull agent's queue as a pull session caches it (pull-sessions.ts). */
export interface PullHead {
  /** Whether the agent may pull now: registered in Pull mode, awake, and an agent of the zone. */
  allowed: boolean;
  messages: Array<{ id: string; msgId: string; document: SifJsonDocument }>;
}

/**
 * Reads up to `limit` deliverable messages at the head of a pull agent's
 * queue, oldest first (SMB permitting, as SIF_GetMessage would hand them
 * out), leaving out `exclude` (acknowledged, their removal not yet
 * written), and whether the agent may pull: one statement, no writes.
 */
export async function readPullHead(em: EntityManager, zoneId: string, target: string, exclude: readonly string[], limit: number): Promise<PullHead> {
  const rows = await autocommitRows<{ id: string | null; msg_id: string | null; message: SifJsonDocument | null }>(
    em,
    `SELECT q.id, q.msg_id, q.message FROM zone_registration r
       JOIN zone_agent a ON a.zone_id = r.zone_id AND a.source_id = r.source_id
       LEFT JOIN LATERAL (
         SELECT q.id, q.msg_id, q.message FROM zone_queue q
          WHERE q.zone_id = r.zone_id AND q.target = r.source_id AND ${DELIVERABLE} AND q.id <> ALL(?::bigint[])
          ORDER BY q.id LIMIT ?) q ON true
      WHERE r.zone_id = ? AND r.source_id = ? AND r.mode = 'Pull' AND NOT r.sleeping
      ORDER BY q.id`,
    [`{${exclude.join(',')}}`, limit, zoneId, target],
  );
  const messages = rows.filter((r) => r.id !== null).map((r) => ({ id: String(r.id), msgId: r.msg_id!, document: r.message! }));
  return { allowed: rows.length > 0, messages };
}

/** What a pull session did in memory, to be written behind (pull-sessions.ts). */
export type PullWrite =
  | { kind: 'received'; zoneId: string; sourceId: string; msgId: string }
  | { kind: 'delivered'; id: string }
  | { kind: 'removed'; id: string };

/**
 * Writes what pull sessions did in memory, in one statement: records the
 * SIF_MsgIds received (of zones that still exist: one deleted meanwhile
 * must not fail the batch), counts delivery attempts and removes
 * acknowledged messages. Resolves with the msg ids that were already
 * recorded (repeats the sessions could not see). Committed without waiting
 * for the WAL flush, as ackFast is: a crash of PostgreSQL can undo only
 * removals (the messages come again), attempt counts and msg ids.
 */
export async function writePullSessions(em: EntityManager, writes: readonly PullWrite[]): Promise<string[]> {
  const removed = new Set(writes.flatMap((w) => (w.kind === 'removed' ? [w.id] : [])));
  // A row must not be updated and deleted by one statement: a removed message needs no attempt counted.
  const delivered = writes.flatMap((w) => (w.kind === 'delivered' && !removed.has(w.id) ? [w.id] : []));
  const received = writes.flatMap((w) => (w.kind === 'received' ? [{ zone_id: w.zoneId, source_id: w.sourceId, msg_id: w.msgId }] : []));
  const rows = await autocommitRows<{ repeated: string[] | null }>(
    em,
    `WITH input AS (SELECT * FROM json_to_recordset(?::json) AS i(zone_id text, source_id text, msg_id text)),
     fresh AS (
       INSERT INTO zone_received (zone_id, source_id, msg_id)
       SELECT i.zone_id, i.source_id, i.msg_id FROM input i WHERE EXISTS (SELECT 1 FROM zone z WHERE z.id = i.zone_id)
       ON CONFLICT DO NOTHING RETURNING zone_id, source_id, msg_id),
     removed AS (DELETE FROM zone_queue WHERE id = ANY(?::bigint[]) AND ${NOT_BLOCKED} RETURNING id),
     counted AS (UPDATE zone_queue SET attempts = attempts + 1 WHERE id = ANY(?::bigint[]) RETURNING id)
     SELECT (SELECT array_agg(i.msg_id) FROM input i
              WHERE EXISTS (SELECT 1 FROM zone z WHERE z.id = i.zone_id)
                AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.zone_id = i.zone_id AND f.source_id = i.source_id AND f.msg_id = i.msg_id)) AS repeated,
            (SELECT count(*) FROM removed) + (SELECT count(*) FROM counted) AS changed,
            set_config('synchronous_commit', 'off', true) AS sync`,
    [JSON.stringify(received), `{${[...removed].join(',')}}`, `{${delivered.join(',')}}`],
  );
  return rows[0]?.repeated ?? [];
}
