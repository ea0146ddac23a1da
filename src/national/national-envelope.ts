import { randomUUID } from 'node:crypto';
import type { SifJsonObject, SifJsonValue } from '../sif/json-mapping.js';
import type { SifError } from '../sif/sif-error.js';
import { newHeader, SIF_VERSION, type SifEventAction, type SifMessage } from '../sif/sif-message.js';

/**
 * The conventions of the `NationalRouter` zone, shared by the router and the
 * district nodes (DESIGN §4–6). Messages are SIF 2.x SIF_Messages; student
 * data never travels readable: the one data object of a message carries only
 * its identifying attributes (RefId, …) and a SIF_ExtendedElement named
 * `rex:sealed` whose text is a JWE (src/crypto/sealed-packet.ts) sealed to
 * the destination district's key.
 * SIF_ExtendedElements is SIF 2.x's own extension point on every data object,
 * so the messages stay valid against the US 2.4 XSD.
 */

/** The zone's id. */
export const NATIONAL_ZONE = 'NationalRouter';
/** The router path nodes post zone messages to. */
export const NATIONAL_ZONE_PATH = `/v1/zones/${NATIONAL_ZONE}`;
/** The node path the router pushes messages to. */
export const NATIONAL_DELIVERY_PATH = '/national/messages';
/** The SIF_ExtendedElement that carries the sealed payload. */
export const SEALED_ELEMENT = 'rex:sealed';
/** The data object messages are about unless told otherwise (SIF US 2.4 StudentRecordExchange). */
export const RECORD_OBJECT = 'StudentRecordExchange';
/** Media type of a push delivery carrying several messages (see router-zone-routes.ts). */
export const BATCH_MEDIA_TYPE = 'application/vnd.rex.zone-batch+json';

/**
 * Headers with which the router forwards the sender's own RFC 9421 signature,
 * so the receiving node verifies it end to end (DESIGN §5). The origin signed
 * `POST {origin authority}/v1/zones/NationalRouter` with this Content-Digest.
 */
export const ORIGIN_HEADERS = {
  signature: 'x-rex-origin-signature',
  signatureInput: 'x-rex-origin-signature-input',
  contentDigest: 'x-rex-origin-content-digest',
  authority: 'x-rex-origin-authority',
  /** The sender's certificate, base64 DER, issued by the router CA. */
  certificate: 'x-rex-origin-certificate',
  /** In a SIF_GetMessage answer: `offset,length` of the wrapped message's exact bytes in the body. */
  bodyRange: 'x-rex-origin-body',
  /** In a SIF_GetMessage answer: the wrapped message's own content type. */
  contentType: 'x-rex-origin-content-type',
} as const;

/** The router's signing certificate (base64 DER, issued by the router CA), sent with everything it signs. */
export const ROUTER_CERTIFICATE_HEADER = 'x-rex-router-certificate';

/** The origin signature of a message, as forwarded. */
export interface OriginSignature {
  signature: string;
  signatureInput: string;
  contentDigest: string;
  authority: string;
  /** Base64 DER. */
  certificate: string;
}

/** What routing needs from a message. */
export interface NationalEnvelope {
  type: SifMessage['type'];
  msgId: string;
  sourceId: string;
  destinationId?: string;
  objectName?: string;
  requestMsgId?: string;
  action?: SifEventAction;
}

/** Reads the routing fields of a decoded message. */
export function envelopeOf(message: SifMessage): NationalEnvelope {
  const envelope: NationalEnvelope = { type: message.type, msgId: message.header.msgId, sourceId: message.header.sourceId };
  if (message.header.destinationId) envelope.destinationId = message.header.destinationId;
  if (message.type === 'SIF_Request' && message.query) envelope.objectName = message.query.objectName;
  if (message.type === 'SIF_Event') Object.assign(envelope, { objectName: message.objectName, action: message.action });
  if (message.type === 'SIF_Response') {
    envelope.requestMsgId = message.requestMsgId;
    const names = Object.keys(message.objectData ?? {});
    if (names[0]) envelope.objectName = names[0];
  }
  return envelope;
}

/** A message a node asks to send through the zone. */
export type NationalIntent =
  | { type: 'SIF_Request'; msgId: string; destinationId: string; objectName: string }
  | { type: 'SIF_Response'; msgId: string; destinationId: string; objectName: string; requestMsgId: string; error?: SifError }
  | { type: 'SIF_Event'; msgId: string; destinationId: string; objectName: string; action: SifEventAction };

/** A new RefId (RefIdType: 32 upper-case hex digits). */
export function newRefId(): string {
  return randomUUID().replace(/-/g, '').toUpperCase();
}

/** The object a SIF_Request's SIF_Example carries (the US 2.4 XSD allows only StudentLocator there). */
export const EXAMPLE_OBJECT = 'StudentLocator';

/**
 * Builds the SIF_Message of an intent from `sourceId`, carrying `sealed`
 * (a JWE) as its one data object's `rex:sealed` element. Requests ask by
 * example (SIF_Query/SIF_Example/StudentLocator, IdStatus "Request"), so
 * even the requester's demographics travel sealed; responses and events
 * carry the object in SIF_ObjectData.
 */
export function buildNationalMessage(sourceId: string, intent: NationalIntent, sealed: string | undefined): SifMessage {
  const header = { ...newHeader(sourceId), msgId: intent.msgId, destinationId: intent.destinationId };
  switch (intent.type) {
    case 'SIF_Request':
      return {
        type: 'SIF_Request',
        version: SIF_VERSION,
        header,
        versions: [SIF_VERSION],
        maxBufferSize: 10 * 1024 * 1024,
        query: {
          objectName: intent.objectName,
          elements: [],
          ...(sealed === undefined ? {} : { example: { [EXAMPLE_OBJECT]: sealedObject(EXAMPLE_OBJECT, sealed, intent.msgId) } }),
        },
      };
    case 'SIF_Response':
      return {
        type: 'SIF_Response',
        version: SIF_VERSION,
        header,
        requestMsgId: intent.requestMsgId,
        packetNumber: 1,
        morePackets: false,
        ...(intent.error ? { error: intent.error } : { objectData: sealed === undefined ? {} : { [intent.objectName]: [sealedObject(intent.objectName, sealed, intent.msgId)] } }),
      };
    case 'SIF_Event':
      return {
        type: 'SIF_Event',
        version: SIF_VERSION,
        header,
        objectName: intent.objectName,
        action: intent.action,
        object: { [intent.objectName]: sealedObject(intent.objectName, sealed, intent.msgId) },
      };
  }
}

/**
 * The identifying attributes each object requires in the US 2.4 XSD; they
 * hold ids and codes, never student data, and are the only attributes a
 * sealed object may carry.
 */
const OBJECT_ATTRIBUTES: Record<string, (msgId: string) => SifJsonObject> = {
  StudentLocator: (msgId) => ({ '@IdStatus': 'Request', '@TransactionId': msgId }),
  SIF_LogEntry: () => ({ '@Source': 'Agent', '@LogLevel': 'Info' }),
};
const ALLOWED_ATTRIBUTES = new Set(['@RefId', '@IdStatus', '@TransactionId', '@Source', '@LogLevel']);

function sealedObject(objectName: string, sealed: string | undefined, msgId: string): SifJsonObject {
  const attributes = OBJECT_ATTRIBUTES[objectName]?.(msgId) ?? { '@RefId': newRefId() };
  if (sealed === undefined) return attributes;
  return { ...attributes, SIF_ExtendedElements: { SIF_ExtendedElement: { '@Name': SEALED_ELEMENT, '#text': sealed } } };
}

const JWE_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The data objects a routed message carries (the example, the response's objects, the event's object). */
function dataObjects(message: SifMessage): SifJsonValue[] {
  switch (message.type) {
    case 'SIF_Request':
      return message.query?.example ? Object.values(message.query.example) : [];
    case 'SIF_Response':
      return Object.values(message.objectData ?? {}).flatMap((v) => (Array.isArray(v) ? v : [v]));
    case 'SIF_Event':
      return Object.values(message.object);
    default:
      return [];
  }
}

/** The sealed payload (JWE) of a message, if it carries one. */
export function sealedPayloadOf(message: SifMessage): string | undefined {
  for (const object of dataObjects(message)) {
    const text = sealedText(object);
    if (text) return text;
  }
  return undefined;
}

function sealedText(object: SifJsonValue): string | undefined {
  if (typeof object !== 'object' || Array.isArray(object)) return undefined;
  const elements = object['SIF_ExtendedElements'];
  if (typeof elements !== 'object' || Array.isArray(elements)) return undefined;
  const element = elements['SIF_ExtendedElement'];
  if (typeof element !== 'object' || Array.isArray(element) || element['@Name'] !== SEALED_ELEMENT) return undefined;
  const text = element['#text'];
  return typeof text === 'string' && JWE_COMPACT.test(text) ? text : undefined;
}

/**
 * Why a routed message would put readable data in the router's hands, or
 * undefined when everything it carries is sealed: each data object holds
 * only its identifying attributes and one `rex:sealed` JWE, and a request
 * asks by example, not with readable conditions.
 */
export function readableContentProblem(message: SifMessage): string | undefined {
  if (message.type === 'SIF_Request') {
    if (message.extendedQuery || message.query?.conditionGroup) return 'a NationalRouter SIF_Request asks by sealed SIF_Example, not with readable conditions';
  }
  for (const object of dataObjects(message)) {
    if (typeof object !== 'object' || Array.isArray(object)) return 'a data object must be an element';
    const keys = Object.keys(object).filter((k) => !ALLOWED_ATTRIBUTES.has(k));
    if (keys.length === 0) continue;
    if (keys.length !== 1 || keys[0] !== 'SIF_ExtendedElements' || !sealedText(object)) {
      return `student data crosses the ${NATIONAL_ZONE} zone only sealed: a data object carries its identifying attributes and one SIF_ExtendedElement "${SEALED_ELEMENT}" holding a JWE`;
    }
  }
  return undefined;
}
