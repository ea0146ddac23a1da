import type { MikroORM } from '@mikro-orm/postgresql';
import { openPacket } from '../crypto/sealed-packet.js';
import { processOnce } from '../outbox/inbox.js';
import { envelopeOf, sealedPayloadOf, type NationalEnvelope, type OriginSignature } from './national-envelope.js';
import type { NationalHandlers } from './national-handlers.js';
import type { NationalTrust } from './national-trust.js';
import { ackWithError, ackWithStatus, decodeMessage, formatOfMediaType, sifError, type SifAck, type SifError } from './zone-sif.js';
import { boundRows } from '../storage/bound-statements.js';

/** One message as the router delivered it: its exact bytes and the sender's signature headers. */
export interface ReceivedMessage {
  contentType: string;
  body: Buffer;
  origin: Partial<OriginSignature>;
}

/** What receiving came to: the SIF_Ack for the router, and whether to acknowledge now or leave the message for redelivery. */
export interface ReceiveOutcome {
  ack: SifAck;
  /** False for failures that may pass (the node cannot verify yet, or its database failed): the message should come again. */
  final: boolean;
  envelope?: NationalEnvelope;
}

/**
 * Receives one message from the router (DESIGN §5–6): verifies the sender's
 * signature end to end, reads the SIF_Message, checks it is for this
 * district, opens the sealed payload (verifying the sender's JWS), then
 * processes it exactly once — the inbox record, the message log and every
 * handler's work commit together, and a redelivered message changes nothing.
 */
export async function receiveNationalMessage(
  trust: NationalTrust,
  orm: MikroORM,
  handlers: NationalHandlers,
  received: ReceivedMessage,
): Promise<ReceiveOutcome> {
  const from = trust.ncesId;
  const format = formatOfMediaType(received.contentType);
  if (!format) return { final: true, ack: ackWithError(from, NONE, sifError(12, 5, `unsupported content type ${received.contentType}`)) };
  const decoded = decodeMessage(received.body, format);
  if (decoded.kind === 'error') return { final: true, ack: ackWithError(from, decoded.original, decoded.error) };
  const message = decoded.message;
  const envelope = envelopeOf(message);
  const target = { msgId: envelope.msgId, sourceId: envelope.sourceId };
  const refuse = (error: SifError, final: boolean): ReceiveOutcome => ({ final, envelope, ack: ackWithError(from, target, error) });

  const origin = await trust.verifyOrigin(received.origin, received.body, envelope.sourceId);
  if (!origin.ok) return refuse(sifError(3, 7, origin.reason), false);
  if (envelope.destinationId !== from) return refuse(sifError(8, 1, `this node is ${from}, not ${envelope.destinationId ?? '(no destination)'}`), true);

  let payload: Uint8Array | undefined;
  const sealed = sealedPayloadOf(message);
  if (sealed) {
    const opened = await openPacket(sealed, trust.privateKey, (kid) => (kid === origin.keyId ? origin.publicKey : undefined));
    if (!opened.ok) return refuse(sifError(opened.reason === 'not-for-us' ? 2 : 3, opened.reason === 'not-for-us' ? 1 : 7, `sealed payload: ${opened.detail}`), true);
    payload = opened.payload;
  }
  const committed: Array<() => void> = [];
  try {
    const outcome = await processOnce(orm.em.fork(), { id: `national:${envelope.sourceId}:${envelope.msgId}`, source: envelope.sourceId }, async (tx) => {
      await boundRows(
        tx,
        `INSERT INTO national_message (direction, source_id, msg_id, destination_id, message_type, object_name, request_msg_id)
         VALUES ('in', ?, ?, ?, ?, ?, ?)`,
        [envelope.sourceId, envelope.msgId, envelope.destinationId ?? null, envelope.type, envelope.objectName ?? null, envelope.requestMsgId ?? null],
      );
      await handlers.dispatch({ tx, message, envelope, ...(payload ? { payload } : {}), afterCommit: (effect) => committed.push(effect) });
    });
    for (const effect of committed) effect();
    return { final: true, envelope, ack: ackWithStatus(from, target, outcome.kind === 'duplicate' ? 7 : 1) };
  } catch (error) {
    return refuse(sifError(11, 1, `processing failed: ${(error as Error).message}`), false);
  }
}

const NONE = { msgId: null, sourceId: null };

/** The origin signature headers of a delivered message (lower-case header names). */
export function originFromHeaders(headers: Record<string, string | string[] | undefined>, names: Record<keyof OriginSignature, string>): Partial<OriginSignature> {
  const out: Partial<OriginSignature> = {};
  for (const [key, name] of Object.entries(names) as Array<[keyof OriginSignature, string]>) {
    const value = headers[name];
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
