import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { NationalEnvelope, OriginSignature } from '../../national/national-envelope.js';
import { autocommitRows } from '../../storage/bound-statements.js';
import { createBatcher, type Batcher } from '../../storage/statement-batcher.js';

/**
 * The NationalRouter zone's store (see zone-queue-migration.ts): routing
 * metadata of accepted messages and the delivery queue of sealed messages.
 * Everything is raw SQL with bind parameters, in autocommit: each statement
 * is one round trip, and message bodies are not escaped into SQL text.
 */

/** A message accepted for delivery. */
export interface QueuedMessage {
  envelope: NationalEnvelope & { destinationId: string };
  objectName: string | undefined;
  contentType: string;
  body: Buffer;
  originKeyId: string;
  origin: Omit<OriginSignature, 'certificate'>;
  ttlSeconds: number;
  /** Already recorded in zone_message by the direct path, which could not deliver it: only queued. */
  recorded?: boolean;
}

/** A queued message as delivery reads it back. */
export interface DeliveryRow {
  seq: string;
  sourceId: string;
  msgId: string;
  destinationId: string;
  messageType: string;
  contentType: string;
  body: Buffer;
  originKeyId: string;
  origin: Omit<OriginSignature, 'certificate'>;
  attempts: number;
  endpoint?: string;
}

/**
 * The batch insert's columns: name, SQL type, and the value of a message
 * queued in `zone` whose body starts `at` bytes into the batch's bodies.
 */
const COLUMNS: Array<[string, string, (m: QueuedMessage, zone: string, at: number) => unknown]> = [
  ['source_id', 'text', (m) => m.envelope.sourceId],
  ['msg_id', 'char(32)', (m) => m.envelope.msgId],
  ['zone', 'text', (_m, zone) => zone],
  ['destination_id', 'text', (m) => m.envelope.destinationId],
  ['message_type', 'text', (m) => m.envelope.type],
  ['object_name', 'text', (m) => m.objectName ?? null],
  ['request_msg_id', 'char(32)', (m) => m.envelope.requestMsgId ?? null],
  ['content_type', 'text', (m) => m.contentType],
  ['body_at', 'integer', (_m, _zone, at) => at],
  ['body_length', 'integer', (m) => m.body.length],
  ['origin_key_id', 'text', (m) => m.originKeyId],
  ['origin_signature', 'text', (m) => m.origin.signature],
  ['origin_signature_input', 'text', (m) => m.origin.signatureInput],
  ['origin_content_digest', 'text', (m) => m.origin.contentDigest],
  ['origin_authority', 'text', (m) => m.origin.authority],
  ['ttl_seconds', 'integer', (m) => m.ttlSeconds],
  ['recorded', 'boolean', (m) => m.recorded ?? false],
];

/**
 * The batch's rows as one array per column, unnested: the statement text is
 * the same whatever the batch size, so PostgreSQL keeps one generic plan per
 * connection. A VALUES list per batch size was planned afresh nearly every
 * time (a new text for each size), which cost about a sixth of the insert.
 * The bodies travel as one binary parameter, each row naming its slice: in
 * a bytea[] array they were written out as hex text, twice their size, and
 * escaped character by character on the way.
 */
const INPUT = `SELECT input.*, substring(?::bytea FROM input.body_at + 1 FOR input.body_length) AS body
  FROM unnest(${COLUMNS.map(([, type]) => `?::${type}[]`).join(', ')}) AS input (${COLUMNS.map(([name]) => name).join(', ')})`;

/**
 * Records accepted messages and queues them, many per statement: concurrent
 * requests share one INSERT (and one commit), which is what lets the router
 * keep up with its senders (storage/statement-batcher.ts; at most two inserts
 * run at once, and messages arriving meanwhile share the next one).
 * A message whose (SIF_SourceId, SIF_MsgId) was seen before is not queued
 * again: the caller answers it with status 7. Two copies of one message in a
 * burst go in different inserts, so the second is the one seen before. A
 * message the direct path recorded but could not deliver (`recorded`) is
 * queued unless a copy of it already waits.
 */
export function createQueueWriter(orm: MikroORM, zone: string, maxBatch = 128, maxInFlight = 2): MessageWriter {
  return batchPerStatement(orm, zone, insertBatch, maxBatch, maxInFlight);
}

/**
 * Records the routing metadata of messages on the direct path
 * (direct-forward.ts), which stores no body, many per statement. Resolves
 * false for a (SIF_SourceId, SIF_MsgId) recorded before.
 */
export function createMessageRecorder(orm: MikroORM, zone: string, maxBatch = 128, maxInFlight = 2): MessageWriter {
  return batchPerStatement(orm, zone, recordBatch, maxBatch, maxInFlight);
}

/** Writes messages; resolves true when this message was written now, false when its SIF_MsgId was already there from that source. */
export type MessageWriter = Batcher<QueuedMessage, boolean>;

/** Messages written a batch at a time by `write`, each answered whether `write` wrote it (one copy of a message per batch). */
function batchPerStatement(
  orm: MikroORM,
  zone: string,
  write: (em: EntityManager, zone: string, messages: QueuedMessage[]) => Promise<Set<string>>,
  maxBatch: number,
  maxInFlight: number,
): Batcher<QueuedMessage, boolean> {
  // One context for every statement, as the node zone has (http/zone-routes.ts): autocommit statements only, no entities or identity map.
  const em = orm.em.fork();
  return createBatcher(
    async (messages: QueuedMessage[]) => {
      const written = await write(em, zone, messages);
      return messages.map((m) => written.has(messageKey(m)));
    },
    { maxBatch, maxInFlight, keyOf: messageKey },
  );
}

const RECORD_COLUMNS = COLUMNS.filter(([name]) => ['source_id', 'msg_id', 'zone', 'destination_id', 'message_type', 'object_name', 'request_msg_id'].includes(name));

const RECORD = `INSERT INTO zone_message (${RECORD_COLUMNS.map(([name]) => name).join(', ')})
  SELECT * FROM unnest(${RECORD_COLUMNS.map(([, type]) => `?::${type}[]`).join(', ')})
  ON CONFLICT DO NOTHING RETURNING source_id, msg_id`;

async function recordBatch(em: EntityManager, zone: string, messages: QueuedMessage[]): Promise<Set<string>> {
  const rows = await autocommitRows<{ source_id: string; msg_id: string }>(
    em,
    RECORD,
    RECORD_COLUMNS.map(([, , value]) => messages.map((m) => value(m, zone, 0))),
  );
  return new Set(rows.map((r) => `${r.source_id} ${r.msg_id}`));
}

function messageKey(message: QueuedMessage): string {
  return `${message.envelope.sourceId} ${message.envelope.msgId}`;
}

async function insertBatch(em: EntityManager, zone: string, messages: QueuedMessage[]): Promise<Set<string>> {
  const starts: number[] = [];
  let at = 0;
  for (const m of messages) {
    starts.push(at);
    at += m.body.length;
  }
  const bodies = Buffer.concat(messages.map((m) => m.body), at);
  const params = [bodies, ...COLUMNS.map(([, , value]) => messages.map((m, i) => value(m, zone, starts[i]!)))];
  const rows = await autocommitRows<{ source_id: string; msg_id: string }>(
    em,
    `WITH input AS (${INPUT}),
     seen AS (
       INSERT INTO zone_message (source_id, msg_id, zone, destination_id, message_type, object_name, request_msg_id)
       SELECT source_id, msg_id, zone, destination_id, message_type, object_name, request_msg_id FROM input
       ON CONFLICT DO NOTHING RETURNING source_id, msg_id)
     INSERT INTO zone_delivery (source_id, msg_id, destination_id, message_type, content_type, body, origin_key_id,
                                origin_signature, origin_signature_input, origin_content_digest, origin_authority, expires_at)
     SELECT i.source_id, i.msg_id, i.destination_id, i.message_type, i.content_type, i.body, i.origin_key_id,
            i.origin_signature, i.origin_signature_input, i.origin_content_digest, i.origin_authority,
            now() + i.ttl_seconds * interval '1 second'
       FROM input i LEFT JOIN seen USING (source_id, msg_id)
      WHERE seen.msg_id IS NOT NULL OR i.recorded
     ON CONFLICT (source_id, msg_id) DO NOTHING
     RETURNING source_id, msg_id`,
    params,
  );
  return new Set(rows.map((r) => `${r.source_id} ${r.msg_id}`));
}

/** The SIF_Request a SIF_Response answers, as the router recorded it. */
export async function findRequest(
  em: EntityManager,
  requestMsgId: string,
): Promise<{ sourceId: string; destinationId: string | null; objectName: string | null } | undefined> {
  const rows = await autocommitRows<{ source_id: string; destination_id: string | null; object_name: string | null }>(
    em,
    `SELECT source_id, destination_id, object_name FROM zone_message WHERE msg_id = ? AND message_type = 'SIF_Request' LIMIT 2`,
    [requestMsgId],
  );
  // A SIF_MsgId is a GUID; two requests with one id would make the match ambiguous.
  if (rows.length !== 1) return undefined;
  const row = rows[0]!;
  return { sourceId: row.source_id, destinationId: row.destination_id, objectName: row.object_name };
}

const DELIVERY_COLUMNS = `q.seq, q.source_id, q.msg_id, q.destination_id, q.message_type, q.content_type, q.body, q.origin_key_id,
  q.origin_signature, q.origin_signature_input, q.origin_content_digest, q.origin_authority, q.attempts`;

type RawDelivery = {
  seq: string;
  source_id: string;
  msg_id: string;
  destination_id: string;
  message_type: string;
  content_type: string;
  body: Buffer;
  origin_key_id: string;
  origin_signature: string;
  origin_signature_input: string;
  origin_content_digest: string;
  origin_authority: string;
  attempts: number;
  endpoint?: string;
};

function toDelivery(r: RawDelivery): DeliveryRow {
  return {
    seq: String(r.seq),
    sourceId: r.source_id,
    msgId: r.msg_id,
    destinationId: r.destination_id,
    messageType: r.message_type,
    contentType: r.content_type,
    body: r.body,
    originKeyId: r.origin_key_id,
    origin: { signature: r.origin_signature, signatureInput: r.origin_signature_input, contentDigest: r.origin_content_digest, authority: r.origin_authority },
    attempts: r.attempts,
    ...(r.endpoint ? { endpoint: r.endpoint } : {}),
  };
}

/**
 * Claims due messages for active push-mode districts for `leaseMs`
 * (FOR UPDATE SKIP LOCKED, so router instances never send one message at
 * once; a router killed mid-delivery leaves its claims to expire and be
 * claimed again).
 */
export async function claimPushDeliveries(em: EntityManager, limit: number, leaseMs: number): Promise<DeliveryRow[]> {
  const rows = await autocommitRows<RawDelivery>(
    em,
    `UPDATE zone_delivery q SET locked_until = now() + (? * interval '1 millisecond'), attempts = q.attempts + 1
      FROM district d
     WHERE d.nces_id = q.destination_id AND q.seq IN (
       SELECT z.seq FROM zone_delivery z JOIN district dd ON dd.nces_id = z.destination_id
        WHERE dd.delivery_mode = 'push' AND dd.status = 'active' AND z.next_attempt_at <= now()
          AND (z.locked_until IS NULL OR z.locked_until < now()) AND z.expires_at > now()
        ORDER BY z.seq LIMIT ? FOR UPDATE OF z SKIP LOCKED)
     RETURNING ${DELIVERY_COLUMNS}, d.endpoint`,
    [leaseMs, limit],
  );
  return rows.map(toDelivery).sort((a, b) => Number(a.seq) - Number(b.seq));
}

/** Deletes delivered (acknowledged) messages. */
export async function deleteDeliveries(em: EntityManager, seqs: string[]): Promise<void> {
  if (seqs.length === 0) return;
  await autocommitRows(em, `DELETE FROM zone_delivery WHERE seq = ANY (?::bigint[])`, [seqs]);
}

/** Releases a claim after a failed attempt; the message is due again after `delayMs`. */
export async function retryDelivery(em: EntityManager, seq: string, delayMs: number, error: string): Promise<void> {
  await autocommitRows(
    em,
    `UPDATE zone_delivery SET locked_until = NULL, last_error = ?, next_attempt_at = now() + (? * interval '1 millisecond') WHERE seq = ?`,
    [error.slice(0, 2000), delayMs, seq],
  );
}

/** The oldest unexpired message waiting for `destinationId` (SIF_GetMessage). */
export async function nextPullDelivery(em: EntityManager, destinationId: string): Promise<DeliveryRow | undefined> {
  const rows = await autocommitRows<RawDelivery>(
    em,
    `SELECT ${DELIVERY_COLUMNS} FROM zone_delivery q WHERE q.destination_id = ? AND q.expires_at > now() ORDER BY q.seq LIMIT 1`,
    [destinationId],
  );
  return rows[0] ? toDelivery(rows[0]) : undefined;
}

/** Deletes the message a destination acknowledged; false when it holds no such message. */
export async function acknowledgeDelivery(em: EntityManager, destinationId: string, sourceId: string, msgId: string): Promise<boolean> {
  const rows = await autocommitRows<{ seq: string }>(
    em,
    `DELETE FROM zone_delivery WHERE destination_id = ? AND source_id = ? AND msg_id = ? RETURNING seq`,
    [destinationId, sourceId, msgId],
  );
  return rows.length > 0;
}

/**
 * Deletes undelivered messages past their expiry, and routing metadata older
 * than `retentionSeconds` (long enough to answer late duplicates and
 * responses). Returns how many queued messages expired.
 */
export async function expireZoneData(em: EntityManager, retentionSeconds: number): Promise<number> {
  const expired = await em.execute<Array<{ seq: string }>>(`DELETE FROM zone_delivery WHERE expires_at <= now() RETURNING seq`);
  await em.execute(`DELETE FROM zone_message WHERE received_at < now() - (? * interval '1 second')`, [retentionSeconds]);
  return expired.length;
}
