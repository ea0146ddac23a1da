import type { EntityManager } from '@mikro-orm/postgresql';
import { errorAck, type AckTarget } from '../sif/sif-build.js';
import { answerFormat, decodeSif, encodeSif, formatOfMediaType, SIF_MEDIA_TYPE, type SifFormat } from '../sif/sif-codec.js';
import { sifError, type SifError } from '../sif/sif-error.js';
import { zoneForMessage } from './zone-store.js';
import type { PullSessions } from './pull-sessions.js';
import { handleZoneMessage } from './zone-server.js';

/**
 * What the zone endpoint `POST /zones/{zoneId}` does with one HTTP body,
 * without Fastify: pick the format, decode, handle, and encode the SIF_Ack
 * in the format asked for (Accept, else the request's own). SIF's HTTP
 * transport answers every processed message with 200 and a SIF_Ack, errors
 * included; only an unknown zone (404), an unsupported media type (415) and
 * a body over the server's hard limit (413) get other statuses, still with
 * a SIF_Ack body.
 */
export interface ZoneHttpAnswer {
  status: number;
  contentType: string;
  body: string;
  /** Whether messages were queued (the delivery worker should run). */
  queued: boolean;
}

/** The SIF_SourceId of acks written before a zone is known. */
const ENDPOINT_SOURCE_ID = 'REX-ZIS';

/** An error ack as an HTTP answer. */
export function errorAnswer(status: number, error: SifError, format: SifFormat, target: AckTarget = { msgId: null, sourceId: null }, sourceId = ENDPOINT_SOURCE_ID): ZoneHttpAnswer {
  return { status, contentType: SIF_MEDIA_TYPE[format], body: encodeSif(errorAck(sourceId, target, error), format), queued: false };
}

/** Handles one message posted to a zone; `sessions` serve pull agents (pull-sessions.ts). */
export async function receiveZoneMessage(
  em: EntityManager,
  sessions: PullSessions,
  zoneId: string,
  body: Uint8Array,
  contentType: string | undefined,
  accept: string | undefined,
): Promise<ZoneHttpAnswer> {
  const requestFormat = formatOfMediaType(contentType);
  const format = answerFormat(accept, requestFormat ?? 'xml');
  if (!requestFormat) return errorAnswer(415, sifError(12, 1, `unsupported media type ${contentType ?? '(none)'}: send application/xml, text/xml or application/json`), format);
  const zone = await zoneForMessage(em, zoneId);
  if (!zone) return errorAnswer(404, sifError(12, 1, `no zone ${zoneId} on this node`), format);
  const decoded = decodeSif(body, requestFormat, { maxBytes: zone.maxMessageBytes });
  if (decoded.kind === 'error') return errorAnswer(200, decoded.error, format, decoded.original, zone.zisSourceId);
  const answer = await handleZoneMessage(em, zone, decoded.message, decoded.document, requestFormat, { sessions });
  return { status: 200, contentType: SIF_MEDIA_TYPE[format], body: encodeSif(answer.ack, format), queued: answer.queued };
}
