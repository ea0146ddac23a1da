import { SIF_CATEGORY_TEXT, SIF_STATUS_TEXT, type SifCategory, type SifStatusCode } from './sif-codes.js';
import { sifError, sifFail, sifOk, SifErrorSignal, type SifError, type SifResult } from './sif-error.js';
import type { SifJsonDocument, SifJsonObject, SifJsonValue } from './json-mapping.js';
import {
  PROVISION_LISTS,
  type ProvisionList,
  type SifAck,
  type SifAckData,
  type SifEvent,
  type SifHeader,
  type SifMessage,
  type SifObjectRef,
  type SifProtocol,
  type SifQuery,
  type SifRequest,
  type SifResponse,
  type SifSystemCommand,
} from './sif-message.js';

/**
 * Reads the typed model from a message's JSON form, checking what the SIF
 * 2.4 XSD requires of the infrastructure elements. Problems are SIF_Errors
 * of category 1 (XML Validation): 6 for a missing mandatory element or
 * attribute, 4 for an invalid value, 3 for any other structure; a message
 * type we do not handle is 12/2 and a SIF version other than 2.x is 12/3.
 */
export function readSifMessage(document: SifJsonDocument): SifResult<SifMessage> {
  try {
    return sifOk(readMessage(document.SIF_Message));
  } catch (error) {
    if (error instanceof SifErrorSignal) return sifFail(error.error);
    throw error;
  }
}

/**
 * The SIF_MsgId and SIF_SourceId of a message, read as far as possible even
 * when the message is invalid, so the error ack can name the original.
 */
export function originalIds(document: SifJsonDocument | undefined): { msgId: string | null; sourceId: string | null } {
  const message = document?.SIF_Message;
  if (!message) return { msgId: null, sourceId: null };
  for (const [key, value] of Object.entries(message)) {
    if (key.startsWith('@') || !isObject(value)) continue;
    const header = value['SIF_Header'];
    if (!isObject(header)) break;
    const msgId = header['SIF_MsgId'];
    const sourceId = header['SIF_SourceId'];
    return {
      msgId: typeof msgId === 'string' && MSG_ID.test(msgId) ? msgId : null,
      sourceId: typeof sourceId === 'string' && sourceId.trim() !== '' ? sourceId.trim() : null,
    };
  }
  return { msgId: null, sourceId: null };
}

const MSG_ID = /^[0-9A-F]{32}$/;
const VERSION = /^[0-9]+[.][0-9]+(r[0-9]+)?$/;
const VERSION_WILDCARD = /^(\*|[0-9]+[.]\*|[0-9]+[.][0-9]+r\*|[0-9]+[.][0-9]+(r[0-9]+)?)$/;
const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
const UNSIGNED_INT = /^\+?\d+$/;
const NCNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const HANDLED = ['SIF_Ack', 'SIF_Event', 'SIF_Provide', 'SIF_Provision', 'SIF_Register', 'SIF_Request', 'SIF_Response', 'SIF_Subscribe', 'SIF_SystemControl', 'SIF_Unprovide', 'SIF_Unregister', 'SIF_Unsubscribe'];
const NOT_HANDLED = ['SIF_ServiceInput', 'SIF_ServiceOutput', 'SIF_ServiceNotify'];

function fail(category: SifCategory, code: number, extended: string): never {
  throw new SifErrorSignal(sifError(category, code, extended));
}

function isObject(value: SifJsonValue | undefined): value is SifJsonObject {
  return typeof value === 'object' && !Array.isArray(value);
}

/** An element that may hold children: "" (empty element) reads as {}. */
function asObject(value: SifJsonValue | undefined, path: string): SifJsonObject {
  if (value === '') return {};
  if (isObject(value)) return value;
  return fail(1, 3, `${path} must be a single element with content`);
}

function need(parent: SifJsonObject, name: string, path: string): SifJsonValue {
  const value = parent[name];
  if (value === undefined) fail(1, 6, `${path}/${name} is missing`);
  return value;
}

/** Text of a simple element (no attributes, not repeated). */
function text(value: SifJsonValue, path: string): string {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['#text'] === 'string' && Object.keys(value).every((k) => k === '#text' || k.startsWith('@'))) return value['#text'];
  return fail(1, 3, `${path} must be a single text element`);
}

function needText(parent: SifJsonObject, name: string, path: string): string {
  return text(need(parent, name, path), `${path}/${name}`);
}

function optText(parent: SifJsonObject, name: string, path: string): string | undefined {
  const value = parent[name];
  return value === undefined ? undefined : text(value, `${path}/${name}`);
}

function list(value: SifJsonValue | undefined): SifJsonValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function token(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function checked(value: string, pattern: RegExp, path: string): string {
  const normalized = token(value);
  if (!pattern.test(normalized)) fail(1, 4, `${path} has an invalid value "${normalized.slice(0, 80)}"`);
  return normalized;
}

function maxLength(value: string, max: number, path: string): string {
  if (value.length > max) fail(1, 4, `${path} is longer than ${max} characters`);
  return value;
}

function unsignedInt(value: string, path: string): number {
  const n = Number(checked(value, UNSIGNED_INT, path));
  if (n > 0xffffffff) fail(1, 4, `${path} is out of range`);
  return n;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], path: string): T {
  const normalized = token(value);
  if (!(allowed as readonly string[]).includes(normalized)) fail(1, 4, `${path} must be one of ${allowed.join(', ')}`);
  return normalized as T;
}

function readMessage(root: SifJsonObject): SifMessage {
  const versionAttribute = root['@Version'];
  if (versionAttribute === undefined) fail(1, 6, 'SIF_Message/@Version is missing');
  const version = checked(text(versionAttribute, 'SIF_Message/@Version'), VERSION, 'SIF_Message/@Version');
  if (!version.startsWith('2.')) fail(12, 3, `SIF ${version} is not supported; this zone speaks SIF 2.x`);
  const children = Object.keys(root).filter((k) => !k.startsWith('@') && k !== '#text');
  if (children.length !== 1) fail(1, 3, 'SIF_Message must contain exactly one message element');
  const type = children[0]!;
  if (NOT_HANDLED.includes(type)) fail(12, 2, `${type} is not supported by this zone`);
  if (!HANDLED.includes(type)) fail(1, 3, `SIF_Message/${type} is not a SIF message type`);
  const path = `SIF_Message/${type}`;
  const body = asObject(root[type], path);
  const header = readHeader(asObject(need(body, 'SIF_Header', path), `${path}/SIF_Header`), `${path}/SIF_Header`);
  const envelope = { version, header };
  switch (type) {
    case 'SIF_Register':
      return { type, ...envelope, ...readRegister(body, path) };
    case 'SIF_Unregister':
      return { type, ...envelope };
    case 'SIF_Provision':
      return { type, ...envelope, ...readProvision(body, path) };
    case 'SIF_Provide':
    case 'SIF_Unprovide':
    case 'SIF_Subscribe':
    case 'SIF_Unsubscribe':
      return { type, ...envelope, objects: readObjects(body['SIF_Object'], `${path}/SIF_Object`, true) };
    case 'SIF_Event':
      return { type, ...envelope, ...readEvent(body, path) };
    case 'SIF_Request':
      return { type, ...envelope, ...readRequest(body, path) };
    case 'SIF_Response':
      return { type, ...envelope, ...readResponse(body, path) };
    case 'SIF_SystemControl':
      return { type, ...envelope, ...readSystemControl(body, path) };
    default:
      return { type: 'SIF_Ack', ...envelope, ...readAck(body, path) };
  }
}

function readHeader(header: SifJsonObject, path: string): SifHeader {
  const result: SifHeader = {
    msgId: checked(needText(header, 'SIF_MsgId', path), MSG_ID, `${path}/SIF_MsgId`),
    timestamp: checked(needText(header, 'SIF_Timestamp', path), DATE_TIME, `${path}/SIF_Timestamp`),
    sourceId: maxLength(token(needText(header, 'SIF_SourceId', path)), 64, `${path}/SIF_SourceId`),
  };
  if (result.sourceId === '') fail(1, 4, `${path}/SIF_SourceId is empty`);
  const destination = optText(header, 'SIF_DestinationId', path);
  if (destination !== undefined) result.destinationId = maxLength(token(destination), 64, `${path}/SIF_DestinationId`);
  const security = header['SIF_Security'];
  if (security !== undefined) {
    const channel = asObject(need(asObject(security, `${path}/SIF_Security`), 'SIF_SecureChannel', `${path}/SIF_Security`), `${path}/SIF_Security/SIF_SecureChannel`);
    const at = `${path}/SIF_Security/SIF_SecureChannel`;
    result.security = {
      authenticationLevel: Number(oneOf(needText(channel, 'SIF_AuthenticationLevel', at), ['0', '1', '2', '3'], `${at}/SIF_AuthenticationLevel`)),
      encryptionLevel: Number(oneOf(needText(channel, 'SIF_EncryptionLevel', at), ['0', '1', '2', '3', '4'], `${at}/SIF_EncryptionLevel`)),
    };
  }
  const contexts = readContexts(header['SIF_Contexts'], `${path}/SIF_Contexts`);
  if (contexts) result.contexts = contexts;
  return result;
}

function readContexts(value: SifJsonValue | undefined, path: string): string[] | undefined {
  if (value === undefined) return undefined;
  const contexts = list(asObject(value, path)['SIF_Context']).map((c) => maxLength(token(text(c, `${path}/SIF_Context`)), 64, `${path}/SIF_Context`));
  if (contexts.length === 0) fail(1, 6, `${path}/SIF_Context is missing`);
  return contexts;
}

function readObjects(value: SifJsonValue | undefined, path: string, atLeastOne: boolean): SifObjectRef[] {
  const items = list(value);
  if (atLeastOne && items.length === 0) fail(1, 6, `${path} is missing`);
  return items.map((item) => {
    const object = asObject(item, path);
    const nameAttribute = object['@ObjectName'];
    if (nameAttribute === undefined) fail(1, 6, `${path}/@ObjectName is missing`);
    const ref: SifObjectRef = { objectName: checked(text(nameAttribute, `${path}/@ObjectName`), NCNAME, `${path}/@ObjectName`) };
    const eq = optText(object, 'SIF_ExtendedQuerySupport', path);
    if (eq !== undefined) ref.extendedQuerySupport = oneOf(eq, ['true', 'false', '1', '0'], `${path}/SIF_ExtendedQuerySupport`) === 'true' || token(eq) === '1';
    const contexts = readContexts(object['SIF_Contexts'], `${path}/SIF_Contexts`);
    if (contexts) ref.contexts = contexts;
    return ref;
  });
}

function readVersions(body: SifJsonObject, path: string): string[] {
  const versions = list(body['SIF_Version']).map((v) => checked(text(v, `${path}/SIF_Version`), VERSION_WILDCARD, `${path}/SIF_Version`));
  if (versions.length === 0) fail(1, 6, `${path}/SIF_Version is missing`);
  return versions;
}

function readRegister(body: SifJsonObject, path: string) {
  const name = maxLength(needText(body, 'SIF_Name', path), 64, `${path}/SIF_Name`);
  const result: Omit<Extract<SifMessage, { type: 'SIF_Register' }>, 'type' | 'version' | 'header'> = {
    name,
    versions: readVersions(body, path),
    maxBufferSize: unsignedInt(needText(body, 'SIF_MaxBufferSize', path), `${path}/SIF_MaxBufferSize`),
    mode: oneOf(needText(body, 'SIF_Mode', path), ['Push', 'Pull'] as const, `${path}/SIF_Mode`),
  };
  if (body['SIF_Protocol'] !== undefined) result.protocol = readProtocol(asObject(body['SIF_Protocol'], `${path}/SIF_Protocol`), `${path}/SIF_Protocol`);
  const nodeVendor = optText(body, 'SIF_NodeVendor', path);
  if (nodeVendor !== undefined) result.nodeVendor = nodeVendor;
  const nodeVersion = optText(body, 'SIF_NodeVersion', path);
  if (nodeVersion !== undefined) result.nodeVersion = nodeVersion;
  if (body['SIF_Application'] !== undefined) {
    const app = asObject(body['SIF_Application'], `${path}/SIF_Application`);
    const at = `${path}/SIF_Application`;
    result.application = { vendor: needText(app, 'SIF_Vendor', at), product: needText(app, 'SIF_Product', at), version: needText(app, 'SIF_Version', at) };
  }
  const icon = optText(body, 'SIF_Icon', path);
  if (icon !== undefined) result.icon = icon;
  return result;
}

function readProtocol(protocol: SifJsonObject, path: string): SifProtocol {
  const type = protocol['@Type'];
  const secure = protocol['@Secure'];
  if (type === undefined) fail(1, 6, `${path}/@Type is missing`);
  if (secure === undefined) fail(1, 6, `${path}/@Secure is missing`);
  const result: SifProtocol = {
    type: token(text(type, `${path}/@Type`)),
    secure: oneOf(text(secure, `${path}/@Secure`), ['Yes', 'No'], `${path}/@Secure`) === 'Yes',
    properties: list(protocol['SIF_Property']).map((p) => {
      const property = asObject(p, `${path}/SIF_Property`);
      return { name: needText(property, 'SIF_Name', `${path}/SIF_Property`), value: needText(property, 'SIF_Value', `${path}/SIF_Property`) };
    }),
  };
  const url = optText(protocol, 'SIF_URL', path);
  if (url !== undefined) result.url = maxLength(token(url), 256, `${path}/SIF_URL`);
  return result;
}

function readProvision(body: SifJsonObject, path: string) {
  const objects = {} as Record<ProvisionList, SifObjectRef[]>;
  for (const [key, element] of PROVISION_LISTS) {
    const container = asObject(need(body, element, path), `${path}/${element}`);
    objects[key] = readObjects(container['SIF_Object'], `${path}/${element}/SIF_Object`, false);
  }
  const services: SifJsonObject = {};
  for (const element of ['SIF_ProvideService', 'SIF_RespondService', 'SIF_RequestService', 'SIF_SubscribeService']) {
    if (body[element] !== undefined) services[element] = body[element];
  }
  return Object.keys(services).length > 0 ? { objects, services } : { objects };
}

function readEvent(body: SifJsonObject, path: string): Pick<SifEvent, 'objectName' | 'action' | 'object'> {
  const data = asObject(need(body, 'SIF_ObjectData', path), `${path}/SIF_ObjectData`);
  const at = `${path}/SIF_ObjectData/SIF_EventObject`;
  const eventObject = asObject(need(data, 'SIF_EventObject', `${path}/SIF_ObjectData`), at);
  const nameAttribute = eventObject['@ObjectName'];
  const actionAttribute = eventObject['@Action'];
  if (nameAttribute === undefined) fail(1, 6, `${at}/@ObjectName is missing`);
  if (actionAttribute === undefined) fail(1, 6, `${at}/@Action is missing`);
  const objectName = checked(text(nameAttribute, `${at}/@ObjectName`), NCNAME, `${at}/@ObjectName`);
  const action = oneOf(text(actionAttribute, `${at}/@Action`), ['Add', 'Change', 'Delete'] as const, `${at}/@Action`);
  const object: SifJsonObject = {};
  for (const [key, value] of Object.entries(eventObject)) if (!key.startsWith('@') && key !== '#text') object[key] = value;
  const names = Object.keys(object);
  if (names.length !== 1 || Array.isArray(object[names[0]!])) fail(9, 3, `${at} must contain exactly one object`);
  if (names[0] !== objectName) fail(9, 3, `${at} names ${objectName} but contains ${names[0]}`);
  return { objectName, action, object };
}

function readRequest(body: SifJsonObject, path: string): Omit<SifRequest, 'type' | 'version' | 'header'> {
  const result: Omit<SifRequest, 'type' | 'version' | 'header'> = {
    versions: readVersions(body, path),
    maxBufferSize: unsignedInt(needText(body, 'SIF_MaxBufferSize', path), `${path}/SIF_MaxBufferSize`),
  };
  if (body['SIF_Query'] !== undefined) result.query = readQuery(asObject(body['SIF_Query'], `${path}/SIF_Query`), `${path}/SIF_Query`);
  else if (body['SIF_ExtendedQuery'] !== undefined) result.extendedQuery = asObject(body['SIF_ExtendedQuery'], `${path}/SIF_ExtendedQuery`);
  else fail(1, 6, `${path}/SIF_Query is missing`);
  return result;
}

function readQuery(query: SifJsonObject, path: string): SifQuery {
  const queryObject = asObject(need(query, 'SIF_QueryObject', path), `${path}/SIF_QueryObject`);
  const nameAttribute = queryObject['@ObjectName'];
  if (nameAttribute === undefined) fail(1, 6, `${path}/SIF_QueryObject/@ObjectName is missing`);
  const result: SifQuery = {
    objectName: checked(text(nameAttribute, `${path}/SIF_QueryObject/@ObjectName`), NCNAME, `${path}/SIF_QueryObject/@ObjectName`),
    elements: list(queryObject['SIF_Element']).map((e) => text(e, `${path}/SIF_QueryObject/SIF_Element`)),
  };
  if (query['SIF_ConditionGroup'] !== undefined) result.conditionGroup = asObject(query['SIF_ConditionGroup'], `${path}/SIF_ConditionGroup`);
  if (query['SIF_Example'] !== undefined) result.example = asObject(query['SIF_Example'], `${path}/SIF_Example`);
  return result;
}

function readResponse(body: SifJsonObject, path: string): Omit<SifResponse, 'type' | 'version' | 'header'> {
  const packet = Number(checked(needText(body, 'SIF_PacketNumber', path), UNSIGNED_INT, `${path}/SIF_PacketNumber`));
  if (packet < 1) fail(1, 4, `${path}/SIF_PacketNumber must be a positive integer`);
  const result: Omit<SifResponse, 'type' | 'version' | 'header'> = {
    requestMsgId: checked(needText(body, 'SIF_RequestMsgId', path), MSG_ID, `${path}/SIF_RequestMsgId`),
    packetNumber: packet,
    morePackets: oneOf(needText(body, 'SIF_MorePackets', path), ['Yes', 'No'], `${path}/SIF_MorePackets`) === 'Yes',
  };
  if (body['SIF_Error'] !== undefined) result.error = readError(asObject(body['SIF_Error'], `${path}/SIF_Error`), `${path}/SIF_Error`);
  else if (body['SIF_ObjectData'] !== undefined) result.objectData = asObject(body['SIF_ObjectData'], `${path}/SIF_ObjectData`);
  else if (body['SIF_ExtendedQueryResults'] !== undefined) result.extendedQueryResults = asObject(body['SIF_ExtendedQueryResults'], `${path}/SIF_ExtendedQueryResults`);
  else fail(1, 6, `${path}/SIF_ObjectData is missing`);
  return result;
}

const COMMANDS: SifSystemCommand[] = ['SIF_Ping', 'SIF_Sleep', 'SIF_Wakeup', 'SIF_GetMessage', 'SIF_GetZoneStatus', 'SIF_GetAgentACL', 'SIF_CancelRequests', 'SIF_CancelServiceInputs'];

function readSystemControl(body: SifJsonObject, path: string): { command: SifSystemCommand; data?: SifJsonObject } {
  const data = asObject(need(body, 'SIF_SystemControlData', path), `${path}/SIF_SystemControlData`);
  const names = Object.keys(data).filter((k) => !k.startsWith('@') && k !== '#text');
  if (names.length !== 1) fail(1, 3, `${path}/SIF_SystemControlData must contain exactly one command`);
  const command = names[0] as SifSystemCommand;
  if (!COMMANDS.includes(command)) fail(1, 3, `${path}/SIF_SystemControlData/${command} is not a SIF system control command`);
  const content = asObject(data[command], `${path}/SIF_SystemControlData/${command}`);
  return Object.keys(content).length > 0 ? { command, data: content } : { command };
}

function readError(error: SifJsonObject, path: string): SifError {
  const category = Number(checked(needText(error, 'SIF_Category', path), /^\d{1,2}$/, `${path}/SIF_Category`));
  if (!(category in SIF_CATEGORY_TEXT)) fail(1, 4, `${path}/SIF_Category ${category} is not a SIF error category`);
  const code = Number(checked(needText(error, 'SIF_Code', path), /^\d{1,4}$/, `${path}/SIF_Code`));
  const desc = needText(error, 'SIF_Desc', path);
  const extendedDesc = optText(error, 'SIF_ExtendedDesc', path);
  return { category: category as SifCategory, code, desc, ...(extendedDesc !== undefined ? { extendedDesc } : {}) };
}

function nillable(value: SifJsonValue, path: string): string | null {
  if (isObject(value) && value['@xsi:nil'] === 'true') return null;
  return token(text(value, path));
}

function readAck(body: SifJsonObject, path: string): Omit<SifAck, 'type' | 'version' | 'header'> {
  const result: Omit<SifAck, 'type' | 'version' | 'header'> = {
    originalSourceId: nillable(need(body, 'SIF_OriginalSourceId', path), `${path}/SIF_OriginalSourceId`),
    originalMsgId: nillable(need(body, 'SIF_OriginalMsgId', path), `${path}/SIF_OriginalMsgId`),
  };
  if (result.originalMsgId !== null) checked(result.originalMsgId, MSG_ID, `${path}/SIF_OriginalMsgId`);
  if (body['SIF_Error'] !== undefined) {
    result.error = readError(asObject(body['SIF_Error'], `${path}/SIF_Error`), `${path}/SIF_Error`);
    return result;
  }
  const status = asObject(need(body, 'SIF_Status', path), `${path}/SIF_Status`);
  const code = Number(oneOf(needText(status, 'SIF_Code', `${path}/SIF_Status`), ['0', '1', '2', '3', '7', '8', '9'], `${path}/SIF_Status/SIF_Code`)) as SifStatusCode;
  const desc = optText(status, 'SIF_Desc', `${path}/SIF_Status`);
  result.status = { code, ...(desc !== undefined ? { desc } : {}) };
  if (status['SIF_Data'] !== undefined) result.status.data = readAckData(asObject(status['SIF_Data'], `${path}/SIF_Status/SIF_Data`), `${path}/SIF_Status/SIF_Data`);
  return result;
}

function readAckData(data: SifJsonObject, path: string): SifAckData {
  if (data['SIF_Message'] !== undefined) return { kind: 'message', message: asObject(data['SIF_Message'], `${path}/SIF_Message`) };
  if (data['SIF_AgentACL'] !== undefined) return { kind: 'agentACL', acl: asObject(data['SIF_AgentACL'], `${path}/SIF_AgentACL`) };
  if (data['SIF_ZoneStatus'] !== undefined) return { kind: 'zoneStatus', zoneStatus: asObject(data['SIF_ZoneStatus'], `${path}/SIF_ZoneStatus`) };
  return fail(1, 3, `${path} must contain SIF_Message, SIF_AgentACL or SIF_ZoneStatus`);
}

/** The standard description of a status code, for acks we write. */
export function statusText(code: SifStatusCode): string {
  return SIF_STATUS_TEXT[code];
}
