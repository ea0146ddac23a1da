import type { EntityManager } from '@mikro-orm/postgresql';
import { sealPacket } from '../crypto/sealed-packet.js';
import { enqueue, type DeliveryOutcome, type OutboxMessage } from '../outbox/outbox.js';
import { newMsgId } from '../sif/sif-message.js';
import { buildNationalMessage, NATIONAL_ZONE_PATH, type NationalIntent } from './national-envelope.js';
import type { NationalTrust } from './national-trust.js';
import { decodeMessage, encodeMessage, formatOfMediaType } from './zone-sif.js';
import { boundRows } from '../storage/bound-statements.js';

/** The outbox destination of messages for the national router. */
export const NATIONAL_OUTBOX = 'national-router';

/** A message to send: an intent without an id (one is made) and the plaintext payload to seal. */
export type NationalSend = DistributiveOmit<NationalIntent, 'msgId'> & { msgId?: string; payload?: Uint8Array };
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/**
 * Puts a message for another district in the durable outbox, in the caller's
 * transaction (so it is sent if and only if the caller's change commits), and
 * logs it. The payload is sealed to the destination at delivery time, with
 * the destination's current certificate. Returns the SIF_MsgId.
 */
export async function enqueueNationalMessage(em: EntityManager, sourceId: string, send: NationalSend): Promise<string> {
  const { payload, ...rest } = send;
  const intent = { ...rest, msgId: send.msgId ?? newMsgId() } as NationalIntent;
  await enqueue(em, {
    id: intent.msgId,
    destination: NATIONAL_OUTBOX,
    contentType: 'application/json',
    body: Buffer.from(JSON.stringify({ intent, payload: payload ? Buffer.from(payload).toString('base64') : null })),
  });
  await boundRows(
    em,
    `INSERT INTO national_message (direction, source_id, msg_id, destination_id, message_type, object_name, request_msg_id)
     VALUES ('out', ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [sourceId, intent.msgId, intent.destinationId, intent.type, intent.objectName, intent.type === 'SIF_Response' ? intent.requestMsgId : null],
  );
  return intent.msgId;
}

/**
 * Delivers one outbox message to the router: seals the payload to the
 * destination, writes the SIF_Message (JSON form), signs the call with the node key
 * and reads the router's SIF_Ack. Status 0 (accepted) and 7 (the router
 * already has it) are delivered; refusals the router will repeat (rights,
 * routing, revoked or expired certificate, malformed) fail for good; the
 * rest is retried with the outbox's backoff.
 */
export async function deliverNationalMessage(trust: NationalTrust, outbox: OutboxMessage): Promise<DeliveryOutcome> {
  const { intent, payload } = JSON.parse(outbox.body.toString('utf8')) as { intent: NationalIntent; payload: string | null };
  let sealed: string | undefined;
  if (payload !== null) {
    const recipient = await trust.recipientKey(intent.destinationId);
    if (!recipient.ok) return { kind: recipient.permanent ? 'failed' : 'retry', error: `destination ${intent.destinationId}: ${recipient.reason}` };
    sealed = await sealPacket(Buffer.from(payload, 'base64'), { keyId: trust.keyId, privateKey: trust.privateKey }, recipient.key);
  }
  // JSON, the zone's second form (src/sif/json-mapping.ts): the router reads it several times faster than XML.
  const body = encodeMessage(buildNationalMessage(trust.ncesId, intent, sealed), 'json');
  const answer = await trust.router.postSigned(NATIONAL_ZONE_PATH, body, 'application/json');
  if (answer.status !== 200) return { kind: 'retry', error: `router answered HTTP ${answer.status}` };
  const decoded = decodeMessage(answer.body, formatOfMediaType(answer.headers.get('content-type') ?? undefined) ?? 'json');
  if (decoded.kind === 'error' || decoded.message.type !== 'SIF_Ack') return { kind: 'retry', error: 'the router did not answer with a SIF_Ack' };
  const ack = decoded.message;
  if (!ack.error) return { kind: 'delivered' };
  const error = `SIF_Error ${ack.error.category}/${ack.error.code}: ${ack.error.desc}${ack.error.extendedDesc ? ` — ${ack.error.extendedDesc}` : ''}`;
  const transient = ack.error.category === 11 || (ack.error.category === 3 && ![4, 5, 6].includes(ack.error.code));
  return { kind: transient ? 'retry' : 'failed', error };
}
