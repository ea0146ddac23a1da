import { randomUUID } from 'node:crypto';
import type { SifError } from './sif-error.js';
import type { SifStatusCode } from './sif-codes.js';
import type { SifJsonObject } from './json-mapping.js';

/**
 * The typed model of a SIF 2.x SIF_Message (US 2.4 infrastructure). Data
 * object content (SIF_ObjectData, queries, ACLs, zone status) stays in the
 * JSON form of json-mapping.ts: the infrastructure routes it, the data
 * mappings read it.
 */

/** SIF_Header (SIF_HeaderType). */
export interface SifHeader {
  /** 32 upper-case hex digits (MsgIdType). */
  msgId: string;
  /** xs:dateTime. */
  timestamp: string;
  security?: { authenticationLevel: number; encryptionLevel: number };
  sourceId: string;
  destinationId?: string;
  contexts?: string[];
}

/** A SIF_Object in SIF_Provide, SIF_Subscribe, SIF_Provision lists… */
export interface SifObjectRef {
  objectName: string;
  extendedQuerySupport?: boolean;
  contexts?: string[];
}

/** SIF_Protocol of a push agent's SIF_Register. */
export interface SifProtocol {
  type: string;
  secure: boolean;
  url?: string;
  properties: Array<{ name: string; value: string }>;
}

interface Envelope {
  /** SIF_Message/@Version, e.g. "2.4". */
  version: string;
  header: SifHeader;
}

/** SIF_Register. */
export interface SifRegister extends Envelope {
  type: 'SIF_Register';
  name: string;
  versions: string[];
  maxBufferSize: number;
  mode: 'Push' | 'Pull';
  protocol?: SifProtocol;
  nodeVendor?: string;
  nodeVersion?: string;
  application?: { vendor: string; product: string; version: string };
  icon?: string;
}

/** SIF_Unregister. */
export interface SifUnregister extends Envelope {
  type: 'SIF_Unregister';
}

/** The object lists of SIF_Provision, in XSD order. */
export const PROVISION_LISTS = [
  ['provide', 'SIF_ProvideObjects'],
  ['subscribe', 'SIF_SubscribeObjects'],
  ['publishAdd', 'SIF_PublishAddObjects'],
  ['publishChange', 'SIF_PublishChangeObjects'],
  ['publishDelete', 'SIF_PublishDeleteObjects'],
  ['request', 'SIF_RequestObjects'],
  ['respond', 'SIF_RespondObjects'],
] as const;

/** A SIF_Provision list key: provide, subscribe, publishAdd… */
export type ProvisionList = (typeof PROVISION_LISTS)[number][0];

/** SIF_Provision: everything the agent means to do, in one message. */
export interface SifProvision extends Envelope {
  type: 'SIF_Provision';
  objects: Record<ProvisionList, SifObjectRef[]>;
  /** SIF_ProvideService … SIF_SubscribeService, carried as they came. */
  services?: SifJsonObject;
}

/** SIF_Provide, SIF_Unprovide, SIF_Subscribe, SIF_Unsubscribe. */
export interface SifObjectListMessage extends Envelope {
  type: 'SIF_Provide' | 'SIF_Unprovide' | 'SIF_Subscribe' | 'SIF_Unsubscribe';
  objects: SifObjectRef[];
}

/** SIF_Event action. */
export type SifEventAction = 'Add' | 'Change' | 'Delete';

/** SIF_Event with its one SIF_EventObject. */
export interface SifEvent extends Envelope {
  type: 'SIF_Event';
  objectName: string;
  action: SifEventAction;
  /** The SIF_EventObject's content: one property, the object element (e.g. `{ StudentPersonal: {…} }`). */
  object: SifJsonObject;
}

/** SIF_Query of a SIF_Request. */
export interface SifQuery {
  objectName: string;
  /** SIF_QueryObject/SIF_Element: the elements asked for (all when empty). */
  elements: string[];
  /** SIF_ConditionGroup, in JSON form. */
  conditionGroup?: SifJsonObject;
  /** SIF_Example, in JSON form. */
  example?: SifJsonObject;
}

/** SIF_Request. */
export interface SifRequest extends Envelope {
  type: 'SIF_Request';
  versions: string[];
  maxBufferSize: number;
  query?: SifQuery;
  /** SIF_ExtendedQuery, in JSON form. */
  extendedQuery?: SifJsonObject;
}

/** SIF_Response: one packet of the answer to a SIF_Request. */
export interface SifResponse extends Envelope {
  type: 'SIF_Response';
  requestMsgId: string;
  packetNumber: number;
  morePackets: boolean;
  error?: SifError;
  /** SIF_ObjectData content: object name → array of objects. */
  objectData?: SifJsonObject;
  extendedQueryResults?: SifJsonObject;
}

/** SIF_SystemControlData commands. */
export type SifSystemCommand =
  | 'SIF_Ping'
  | 'SIF_Sleep'
  | 'SIF_Wakeup'
  | 'SIF_GetMessage'
  | 'SIF_GetZoneStatus'
  | 'SIF_GetAgentACL'
  | 'SIF_CancelRequests'
  | 'SIF_CancelServiceInputs';

/** SIF_SystemControl. */
export interface SifSystemControl extends Envelope {
  type: 'SIF_SystemControl';
  command: SifSystemCommand;
  /** The command element's content (only SIF_CancelRequests/SIF_CancelServiceInputs have any). */
  data?: SifJsonObject;
}

/** SIF_Status/SIF_Data: a wrapped message (SIF_GetMessage), an ACL or the zone status. */
export type SifAckData =
  | { kind: 'message'; message: SifJsonObject }
  | { kind: 'agentACL'; acl: SifJsonObject }
  | { kind: 'zoneStatus'; zoneStatus: SifJsonObject };

/** SIF_Ack. */
export interface SifAck extends Envelope {
  type: 'SIF_Ack';
  /** Null when the original could not be read (sent as xsi:nil). */
  originalSourceId: string | null;
  originalMsgId: string | null;
  status?: { code: SifStatusCode; desc?: string; data?: SifAckData };
  error?: SifError;
}

/** Any SIF_Message this code base reads or writes. */
export type SifMessage =
  | SifRegister
  | SifUnregister
  | SifProvision
  | SifObjectListMessage
  | SifEvent
  | SifRequest
  | SifResponse
  | SifSystemControl
  | SifAck;

/** The SIF_Message child element names, one per message type. */
export type SifMessageType = SifMessage['type'];

/** The SIF version we write: US 2.4. */
export const SIF_VERSION = '2.4';

/** A new SIF_MsgId: a GUID as 32 upper-case hex digits (MsgIdType). */
export function newMsgId(): string {
  return randomUUID().replace(/-/g, '').toUpperCase();
}

/** A SIF_Header for a new message from `sourceId`, stamped now. */
export function newHeader(sourceId: string, extra: Partial<Omit<SifHeader, 'sourceId'>> = {}): SifHeader {
  return { msgId: newMsgId(), timestamp: new Date().toISOString(), sourceId, ...extra };
}

/** The object name a message is about, for rights checks and routing (undefined for messages about none). */
export function subjectObjectName(message: SifMessage): string | undefined {
  if (message.type === 'SIF_Event') return message.objectName;
  if (message.type === 'SIF_Request') {
    if (message.query) return message.query.objectName;
    const from = message.extendedQuery?.['SIF_From'];
    return typeof from === 'object' && !Array.isArray(from) ? (from['@ObjectName'] as string | undefined) : undefined;
  }
  return undefined;
}
