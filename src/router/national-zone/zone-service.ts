import type { MikroORM } from '@mikro-orm/postgresql';
import { X509Certificate } from 'node:crypto';
import type { SignableRequest } from '../../crypto/http-signature.js';
import type { ReplayGuard } from '../../crypto/replay-guard.js';
import {
  envelopeOf,
  NATIONAL_ZONE,
  ORIGIN_HEADERS,
  readableContentProblem,
  ROUTER_CERTIFICATE_HEADER,
  type NationalEnvelope,
} from '../../national/national-envelope.js';
import {
  ackWithError,
  ackWithStatus,
  answerFormat,
  decodeMessage,
  encodeMessage,
  formatOfMediaType,
  sifError,
  SIF_MEDIA_TYPE,
  wrapMessageAck,
  type AckTarget,
  type SifAck,
  type SifError,
  type SifFormat,
  type SifMessage,
} from '../../national/zone-sif.js';
import { authenticateCaller, type CallerCache, type KnownCaller } from '../callers.js';
import type { RouterRefusalKind } from '../refusal.js';
import { checkRight, type ZoneRights } from './zone-rights.js';
import { acknowledgeDelivery, findRequest, nextPullDelivery, type MessageWriter, type QueuedMessage } from './zone-queue.js';
import type { RouterSigner } from './router-signer.js';
import type { DirectPath } from './direct-forward.js';

/**
 * The NationalRouter zone's message handling (DESIGN §4–5), free of
 * Fastify: authenticate the signed call, read the SIF_Message, check the
 * sender's rights and the message's routing, keep only sealed data, queue it
 * for its destination, and answer with a SIF_Ack. Every refusal is a SIF_Ack
 * with the specification's category and code; nothing refused is stored.
 */
export interface ZoneDeps {
  orm: MikroORM;
  callers: CallerCache;
  replays: ReplayGuard;
  windowSeconds: number;
  rights: ZoneRights;
  writer: MessageWriter;
  signer: RouterSigner;
  destinations: DestinationCache;
  ttlSeconds: number;
  /** Delivers to push-mode districts before storing (direct-forward.ts). */
  direct: DirectPath;
  /** Called when a message is queued for a push-mode district. */
  onQueuedForPush(destinationId: string): void;
}

/** A call to the zone endpoint. */
export interface ZoneCall {
  request: SignableRequest;
  body: Buffer;
  contentType: string | undefined;
  accept: string | undefined;
}

/** The router's answer: a SIF_Ack in the format asked for, and headers. */
export interface ZoneAnswer {
  contentType: string;
  body: string | Buffer;
  headers: Record<string, string>;
}

/** Handles one call to the zone endpoint. */
export async function handleZoneCall(deps: ZoneDeps, call: ZoneCall): Promise<ZoneAnswer> {
  const format = formatOfMediaType(call.contentType);
  if (!format) {
    return answer(ackWithError(deps.rights.zisSourceId, NO_TARGET, sifError(12, 5, 'a SIF_Message is sent as application/xml or application/json')), answerFormat(call.accept, 'xml'));
  }
  const replyFormat = answerFormat(call.accept, format);
  const authenticated = await authenticateCaller(call.request, call.body, { callers: deps.callers, replays: deps.replays, windowSeconds: deps.windowSeconds }, 'active');
  const decoded = decodeMessage(call.body, format, deps.rights.maxMessageBytes);
  const target: AckTarget = decoded.kind === 'ok' ? { msgId: decoded.message.header.msgId, sourceId: decoded.message.header.sourceId } : decoded.original;
  if (!authenticated.ok) return answer(ackWithError(deps.rights.zisSourceId, target, authenticationError(authenticated.refusal.kind, authenticated.refusal.detail)), replyFormat);
  if (decoded.kind === 'error') return answer(ackWithError(deps.rights.zisSourceId, target, decoded.error), replyFormat);
  const caller = authenticated.value;
  const message = decoded.message;
  if (message.header.sourceId !== caller.district.ncesId) {
    const error = sifError(3, 1, `SIF_SourceId ${message.header.sourceId} is not the signing district ${caller.district.ncesId}`);
    return answer(ackWithError(deps.rights.zisSourceId, target, error), replyFormat);
  }
  switch (message.type) {
    case 'SIF_Request':
    case 'SIF_Response':
    case 'SIF_Event': {
      const outcome = await routeMessage(deps, call, caller, message, format);
      return answer(outcome.kind === 'error' ? ackWithError(deps.rights.zisSourceId, target, outcome.error) : ackWithStatus(deps.rights.zisSourceId, target, outcome.code), replyFormat);
    }
    case 'SIF_SystemControl':
      return systemControl(deps, call, caller, message, target, replyFormat);
    case 'SIF_Ack':
      return answer(await acknowledge(deps, caller, message, target), replyFormat);
    default: {
      const error = sifError(12, 2, `${message.type} is not used in the ${NATIONAL_ZONE} zone: the router makes every active district an agent with fixed rights`);
      return answer(ackWithError(deps.rights.zisSourceId, target, error), replyFormat);
    }
  }
}

const NO_TARGET: AckTarget = { msgId: null, sourceId: null };

function answer(ack: SifAck, format: SifFormat, headers: Record<string, string> = {}): ZoneAnswer {
  return { contentType: SIF_MEDIA_TYPE[format], body: encodeMessage(ack, format), headers };
}

/** Category 3 (Authentication) codes for the router's refusals of a signed call. */
function authenticationError(kind: RouterRefusalKind, detail: string): SifError {
  const code: Partial<Record<RouterRefusalKind, number>> = {
    'signature-missing': 2,
    'signature-invalid': 7,
    'signature-stale': 7,
    replayed: 7,
    'unknown-key': 5,
    'certificate-expired': 6,
    'certificate-revoked': 4,
    'district-inactive': 5,
  };
  return sifError(3, code[kind] ?? 1, `${kind}: ${detail}`);
}

type RouteOutcome = { kind: 'ok'; code: 0 | 7 } | { kind: 'error'; error: SifError };

/** Checks a directed SIF_Request, SIF_Response or SIF_Event and delivers or queues it for its destination. */
async function routeMessage(deps: ZoneDeps, call: ZoneCall, caller: KnownCaller, message: SifMessage, format: SifFormat): Promise<RouteOutcome> {
  const envelope = envelopeOf(message);
  let objectName = envelope.objectName;
  if (envelope.type === 'SIF_Response') {
    const request = deps.direct.requestInFlight(envelope.requestMsgId!) ?? (await findRequest(deps.orm.em.fork(), envelope.requestMsgId!));
    if (!request) return fail(sifError(8, 10, `no SIF_Request with SIF_MsgId ${envelope.requestMsgId} passed through this zone`));
    if (request.destinationId !== envelope.sourceId) return fail(sifError(8, 10, `SIF_Request ${envelope.requestMsgId} was not sent to ${envelope.sourceId}`));
    if (request.sourceId !== envelope.destinationId) return fail(sifError(8, 14, `SIF_Request ${envelope.requestMsgId} came from ${request.sourceId}`));
    objectName = request.objectName ?? objectName;
  }
  const missingRight = checkRight(deps.rights, envelope, objectName);
  if (missingRight) return fail(missingRight);
  if (!envelope.destinationId) return fail(sifError(8, 1, `a message in the ${NATIONAL_ZONE} zone is directed: SIF_DestinationId names the district's NCES id`));
  const destination = await deps.destinations.get(envelope.destinationId);
  if (!destination || !destination.active) return fail(sifError(8, 1, `SIF_DestinationId ${envelope.destinationId} is not an active district of the ${NATIONAL_ZONE} zone`));
  const readable = readableContentProblem(message);
  if (readable) return fail(sifError(2, 1, readable));
  const queued: QueuedMessage = {
    envelope: envelope as NationalEnvelope & { destinationId: string },
    objectName,
    contentType: format === 'xml' ? 'application/xml' : 'application/json',
    body: call.body,
    originKeyId: caller.keyId,
    origin: {
      signature: header(call.request, 'signature'),
      signatureInput: header(call.request, 'signature-input'),
      contentDigest: header(call.request, 'content-digest'),
      authority: call.request.authority,
    },
    ttlSeconds: deps.ttlSeconds,
  };
  const isNew = await deliverOrQueue(deps, queued, destination);
  return { kind: 'ok', code: isNew ? 0 : 7 };
}

/**
 * A push-mode district's node gets the message at once (the direct path);
 * the queue takes it when the node does not, when the district pulls, or
 * when messages already wait for it. Resolves false for a SIF_MsgId seen before.
 */
async function deliverOrQueue(deps: ZoneDeps, message: QueuedMessage, destination: Destination): Promise<boolean> {
  const destinationId = message.envelope.destinationId;
  const queue = async (recorded = false) => {
    const isNew = await deps.writer.add(recorded ? { ...message, recorded } : message);
    if (isNew && destination.deliveryMode === 'push') deps.onQueuedForPush(destinationId);
    return isNew;
  };
  if (destination.deliveryMode !== 'push' || !destination.endpoint) return queue();
  if (deps.direct.hasBacklog(destinationId)) return deps.direct.queueBehind(destinationId, () => queue());
  return deps.direct.deliver(message, destination.endpoint, queue);
}

function fail(error: SifError): RouteOutcome {
  return { kind: 'error', error };
}

function header(request: SignableRequest, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/** SIF_SystemControl: SIF_GetMessage hands out the next queued message (pull mode); SIF_Ping answers success. */
async function systemControl(
  deps: ZoneDeps,
  call: ZoneCall,
  caller: KnownCaller,
  message: Extract<SifMessage, { type: 'SIF_SystemControl' }>,
  target: AckTarget,
  replyFormat: SifFormat,
): Promise<ZoneAnswer> {
  if (message.command === 'SIF_Ping') return answer(ackWithStatus(deps.rights.zisSourceId, target, 0), replyFormat);
  if (message.command !== 'SIF_GetMessage') {
    return answer(ackWithError(deps.rights.zisSourceId, target, sifError(12, 2, `${message.command} is not supported by the ${NATIONAL_ZONE} zone`)), replyFormat);
  }
  const next = await nextPullDelivery(deps.orm.em.fork(), caller.district.ncesId);
  if (!next) return answer(ackWithStatus(deps.rights.zisSourceId, target, 9), replyFormat);
  const storedFormat: SifFormat = next.contentType.includes('json') ? 'json' : 'xml';
  // The message is answered in its own form whenever the Accept header allows, so its bytes (and the sender's signature over them) survive.
  const format = answerFormat(call.accept, storedFormat);
  const origin = await originCertificate(deps.callers, next.originKeyId);
  const headers: Record<string, string> = {
    [ORIGIN_HEADERS.signature]: next.origin.signature,
    [ORIGIN_HEADERS.signatureInput]: next.origin.signatureInput,
    [ORIGIN_HEADERS.contentDigest]: next.origin.contentDigest,
    [ORIGIN_HEADERS.authority]: next.origin.authority,
    [ORIGIN_HEADERS.contentType]: next.contentType,
    [ROUTER_CERTIFICATE_HEADER]: deps.signer.certificateHeader,
    ...(origin ? { [ORIGIN_HEADERS.certificate]: origin } : {}),
  };
  if (format !== storedFormat) {
    const decoded = decodeMessage(next.body, storedFormat);
    if (decoded.kind === 'error') throw new Error(`queued message ${next.msgId} no longer decodes`);
    const ack: SifAck = { ...ackWithStatus(deps.rights.zisSourceId, target, 0), status: { code: 0, data: { kind: 'message', message: decoded.document.SIF_Message } } };
    return answer(ack, format, headers);
  }
  const wrapped = wrapMessageAck(deps.rights.zisSourceId, target, next.body, format);
  headers[ORIGIN_HEADERS.bodyRange] = `${wrapped.offset},${wrapped.length},${wrapped.prolog.toString('base64')}`;
  // The router signs the answer that hands out a message over the components of the request it answers, so the node knows it came from the router.
  Object.assign(headers, deps.signer.sign({ ...call.request, headers: {} }, wrapped.body));
  return { contentType: SIF_MEDIA_TYPE[format], body: wrapped.body, headers };
}

/** The agent's SIF_Ack for a message it pulled: the message leaves the queue. */
async function acknowledge(deps: ZoneDeps, caller: KnownCaller, ack: Extract<SifMessage, { type: 'SIF_Ack' }>, target: AckTarget): Promise<SifAck> {
  if (!ack.originalMsgId || !ack.originalSourceId) {
    return ackWithError(deps.rights.zisSourceId, target, sifError(12, 6, 'SIF_OriginalMsgId and SIF_OriginalSourceId name the message acknowledged'));
  }
  const removed = await acknowledgeDelivery(deps.orm.em.fork(), caller.district.ncesId, ack.originalSourceId, ack.originalMsgId);
  if (!removed) return ackWithError(deps.rights.zisSourceId, target, sifError(12, 6, `no message ${ack.originalMsgId} from ${ack.originalSourceId} waits for ${caller.district.ncesId}`));
  return ackWithStatus(deps.rights.zisSourceId, target, 0);
}

const certificateHeaders = new Map<string, string>();

/** The sender's certificate as base64 DER, for the receiving node's end-to-end check. */
export async function originCertificate(callers: CallerCache, keyId: string): Promise<string | undefined> {
  const known = certificateHeaders.get(keyId);
  if (known) return known;
  const caller = await callers.get(keyId);
  const pem = caller?.district.certificatePem;
  if (!pem) return undefined;
  const der = new X509Certificate(pem).raw.toString('base64');
  certificateHeaders.set(keyId, der);
  return der;
}

/** Destination districts by NCES id, cached briefly (a destination that leaves stops receiving within `ttlMs`). */
export class DestinationCache {
  private readonly entries = new Map<string, { value: Destination | null; at: number }>();

  constructor(
    private readonly orm: MikroORM,
    private readonly ttlMs = 5_000,
  ) {}

  /** The destination, or null when no such district is registered. */
  async get(ncesId: string): Promise<Destination | null> {
    const entry = this.entries.get(ncesId);
    if (entry && Date.now() - entry.at < this.ttlMs) return entry.value;
    const rows = await this.orm.em.fork().execute<Array<{ status: string; delivery_mode: 'push' | 'pull'; endpoint: string; certificate_not_after: Date | null }>>(
      `SELECT status, delivery_mode, endpoint, certificate_not_after FROM district WHERE nces_id = ?`,
      [ncesId],
    );
    const row = rows[0];
    const value = row
      ? {
          active: row.status === 'active' && row.certificate_not_after !== null && new Date(row.certificate_not_after) > new Date(),
          deliveryMode: row.delivery_mode,
          endpoint: row.endpoint,
        }
      : null;
    this.entries.set(ncesId, { value, at: Date.now() });
    return value;
  }

  /** Forgets cached destinations (`*` for all). */
  invalidate(ncesId: string): void {
    if (ncesId === '*') this.entries.clear();
    else this.entries.delete(ncesId);
  }
}

/** A destination district as routing sees it. */
export interface Destination {
  active: boolean;
  deliveryMode: 'push' | 'pull';
  /** The node's base URL (push mode). */
  endpoint: string;
}
