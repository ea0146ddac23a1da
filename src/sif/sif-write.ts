import type { SifError } from './sif-error.js';
import type { SifJsonDocument, SifJsonObject, SifJsonValue } from './json-mapping.js';
import { PROVISION_LISTS, type SifAck, type SifHeader, type SifMessage, type SifObjectRef, type SifProtocol, type SifQuery } from './sif-message.js';

/**
 * Writes a typed SIF message as its JSON form, with every element in the
 * order the SIF 2.4 XSD sequences require, so the XML built from it
 * validates (test/conformance/sif-*.test.ts checks this with xmllint).
 */
export function writeSifMessage(message: SifMessage): SifJsonDocument {
  return { SIF_Message: { '@Version': message.version, [message.type]: writeBody(message) } };
}

/** Writes only the content of SIF_Message (for wrapping in SIF_GetMessage answers). */
export function writeSifMessageContent(message: SifMessage): SifJsonObject {
  return writeSifMessage(message).SIF_Message;
}

function writeBody(message: SifMessage): SifJsonObject {
  const body: SifJsonObject = { SIF_Header: writeHeader(message.header) };
  switch (message.type) {
    case 'SIF_Register':
      body['SIF_Name'] = message.name;
      body['SIF_Version'] = [...message.versions];
      body['SIF_MaxBufferSize'] = String(message.maxBufferSize);
      body['SIF_Mode'] = message.mode;
      put(body, 'SIF_Protocol', message.protocol && writeProtocol(message.protocol));
      put(body, 'SIF_NodeVendor', message.nodeVendor);
      put(body, 'SIF_NodeVersion', message.nodeVersion);
      put(body, 'SIF_Application', message.application && { SIF_Vendor: message.application.vendor, SIF_Product: message.application.product, SIF_Version: message.application.version });
      put(body, 'SIF_Icon', message.icon);
      break;
    case 'SIF_Unregister':
      break;
    case 'SIF_Provision':
      for (const [key, element] of PROVISION_LISTS) body[element] = objectList(message.objects[key], key === 'provide' || key === 'request' || key === 'respond');
      for (const [key, value] of Object.entries(message.services ?? {})) body[key] = value;
      break;
    case 'SIF_Provide':
    case 'SIF_Unprovide':
    case 'SIF_Subscribe':
    case 'SIF_Unsubscribe':
      body['SIF_Object'] = message.objects.map((o) => writeObjectRef(o, message.type === 'SIF_Provide'));
      break;
    case 'SIF_Event':
      body['SIF_ObjectData'] = { SIF_EventObject: { '@ObjectName': message.objectName, '@Action': message.action, ...message.object } };
      break;
    case 'SIF_Request':
      body['SIF_Version'] = [...message.versions];
      body['SIF_MaxBufferSize'] = String(message.maxBufferSize);
      if (message.query) body['SIF_Query'] = writeQuery(message.query);
      else body['SIF_ExtendedQuery'] = message.extendedQuery ?? {};
      break;
    case 'SIF_Response':
      body['SIF_RequestMsgId'] = message.requestMsgId;
      body['SIF_PacketNumber'] = String(message.packetNumber);
      body['SIF_MorePackets'] = message.morePackets ? 'Yes' : 'No';
      if (message.error) body['SIF_Error'] = writeError(message.error);
      else if (message.extendedQueryResults) body['SIF_ExtendedQueryResults'] = message.extendedQueryResults;
      else body['SIF_ObjectData'] = emptyAsString(message.objectData ?? {});
      break;
    case 'SIF_SystemControl':
      body['SIF_SystemControlData'] = { [message.command]: emptyAsString(message.data ?? {}) };
      break;
    case 'SIF_Ack':
      writeAck(body, message);
      break;
  }
  return body;
}

function put(target: SifJsonObject, name: string, value: SifJsonValue | undefined): void {
  if (value !== undefined) target[name] = value;
}

function emptyAsString(value: SifJsonObject): SifJsonValue {
  return Object.keys(value).length === 0 ? '' : value;
}

function writeHeader(header: SifHeader): SifJsonObject {
  const out: SifJsonObject = { SIF_MsgId: header.msgId, SIF_Timestamp: header.timestamp };
  if (header.security) {
    out['SIF_Security'] = {
      SIF_SecureChannel: {
        SIF_AuthenticationLevel: String(header.security.authenticationLevel),
        SIF_EncryptionLevel: String(header.security.encryptionLevel),
      },
    };
  }
  out['SIF_SourceId'] = header.sourceId;
  put(out, 'SIF_DestinationId', header.destinationId);
  put(out, 'SIF_Contexts', header.contexts && { SIF_Context: [...header.contexts] });
  return out;
}

function writeProtocol(protocol: SifProtocol): SifJsonObject {
  const out: SifJsonObject = { '@Type': protocol.type, '@Secure': protocol.secure ? 'Yes' : 'No' };
  put(out, 'SIF_URL', protocol.url);
  if (protocol.properties.length > 0) out['SIF_Property'] = protocol.properties.map((p) => ({ SIF_Name: p.name, SIF_Value: p.value }));
  return out;
}

function writeObjectRef(ref: SifObjectRef, withExtendedQuery: boolean): SifJsonValue {
  const out: SifJsonObject = { '@ObjectName': ref.objectName };
  if (withExtendedQuery && ref.extendedQuerySupport !== undefined) out['SIF_ExtendedQuerySupport'] = String(ref.extendedQuerySupport);
  put(out, 'SIF_Contexts', ref.contexts && { SIF_Context: [...ref.contexts] });
  return out;
}

function objectList(refs: SifObjectRef[], withExtendedQuery: boolean): SifJsonValue {
  return refs.length === 0 ? '' : { SIF_Object: refs.map((r) => writeObjectRef(r, withExtendedQuery)) };
}

function writeQuery(query: SifQuery): SifJsonObject {
  const queryObject: SifJsonObject = { '@ObjectName': query.objectName };
  if (query.elements.length > 0) queryObject['SIF_Element'] = [...query.elements];
  const out: SifJsonObject = { SIF_QueryObject: queryObject };
  if (query.conditionGroup) out['SIF_ConditionGroup'] = query.conditionGroup;
  else if (query.example) out['SIF_Example'] = query.example;
  return out;
}

/** The JSON form of a SIF_Error element. */
export function writeError(error: SifError): SifJsonObject {
  const out: SifJsonObject = { SIF_Category: String(error.category), SIF_Code: String(error.code), SIF_Desc: error.desc.slice(0, 1024) };
  put(out, 'SIF_ExtendedDesc', error.extendedDesc);
  return out;
}

function nillable(value: string | null): SifJsonValue {
  return value === null ? { '@xsi:nil': 'true' } : value;
}

function writeAck(body: SifJsonObject, ack: SifAck): void {
  body['SIF_OriginalSourceId'] = nillable(ack.originalSourceId);
  body['SIF_OriginalMsgId'] = nillable(ack.originalMsgId);
  if (ack.error) {
    body['SIF_Error'] = writeError(ack.error);
    return;
  }
  const status = ack.status ?? { code: 1 };
  const out: SifJsonObject = { SIF_Code: String(status.code) };
  put(out, 'SIF_Desc', status.desc);
  if (status.data) {
    const data = status.data;
    out['SIF_Data'] =
      data.kind === 'message' ? { SIF_Message: data.message } : data.kind === 'agentACL' ? { SIF_AgentACL: data.acl } : { SIF_ZoneStatus: data.zoneStatus };
  }
  body['SIF_Status'] = out;
}
