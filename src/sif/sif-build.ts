import { SIF_STATUS_TEXT, type SifStatusCode } from './sif-codes.js';
import type { SifError } from './sif-error.js';
import type { SifJsonObject, SifJsonValue } from './json-mapping.js';
import { newHeader, SIF_VERSION, type SifAck, type SifAckData, type SifProtocol } from './sif-message.js';

/**
 * Builders for the messages a ZIS (or an agent) emits in answer: SIF_Ack
 * with a status or an error, and the SIF_AgentACL and SIF_ZoneStatus
 * documents that SIF_GetAgentACL and SIF_GetZoneStatus return in
 * SIF_Ack/SIF_Status/SIF_Data (SIF 2.x infrastructure, SIF_SystemControl).
 */

/** The ids of the message being acknowledged; null when they could not be read. */
export interface AckTarget {
  msgId: string | null;
  sourceId: string | null;
}

/** A SIF_Ack with a status code (and its standard description unless one is given). */
export function statusAck(fromSourceId: string, target: AckTarget, code: SifStatusCode, data?: SifAckData, desc?: string): SifAck {
  return {
    type: 'SIF_Ack',
    version: SIF_VERSION,
    header: newHeader(fromSourceId),
    originalSourceId: target.sourceId,
    originalMsgId: target.msgId,
    status: { code, desc: desc ?? SIF_STATUS_TEXT[code], ...(data ? { data } : {}) },
  };
}

/** A SIF_Ack carrying a SIF_Error. */
export function errorAck(fromSourceId: string, target: AckTarget, error: SifError): SifAck {
  return {
    type: 'SIF_Ack',
    version: SIF_VERSION,
    header: newHeader(fromSourceId),
    originalSourceId: target.sourceId,
    originalMsgId: target.msgId,
    error,
  };
}

/** The object names an agent may use in each way (SIF_AgentACL's seven access lists). */
export interface AccessLists {
  provide: string[];
  subscribe: string[];
  publishAdd: string[];
  publishChange: string[];
  publishDelete: string[];
  request: string[];
  respond: string[];
}

/** The context every object is in unless contexts are used (SIF 2.x SIF_Contexts). */
export const DEFAULT_CONTEXT = 'SIF_Default';

function accessList(names: string[]): SifJsonValue {
  if (names.length === 0) return '';
  return { SIF_Object: names.map((name) => ({ '@ObjectName': name, SIF_Contexts: { SIF_Context: [DEFAULT_CONTEXT] } })) };
}

/** The SIF_AgentACL document (SIF_AgentACLInfrastructureType) for an agent's rights. */
export function agentAcl(access: AccessLists): SifJsonObject {
  return {
    SIF_ProvideAccess: accessList(access.provide),
    SIF_SubscribeAccess: accessList(access.subscribe),
    SIF_PublishAddAccess: accessList(access.publishAdd),
    SIF_PublishChangeAccess: accessList(access.publishChange),
    SIF_PublishDeleteAccess: accessList(access.publishDelete),
    SIF_RequestAccess: accessList(access.request),
    SIF_RespondAccess: accessList(access.respond),
    // Services (SIF 2.3+) are not offered by our zones: the lists are empty.
    SIF_ProvideService: '',
    SIF_RespondService: '',
    SIF_RequestService: '',
    SIF_SubscribeService: '',
  };
}

/** A registered agent as SIF_ZoneStatus lists it. */
export interface ZoneNode {
  sourceId: string;
  name: string;
  mode: 'Push' | 'Pull';
  protocol?: SifProtocol;
  versions: string[];
  maxBufferSize: number;
  sleeping: boolean;
}

/** Who does what in a zone, by object name → source ids. */
export interface ZoneStatusInput {
  zoneId: string;
  name: string;
  providers: Map<string, string[]>;
  subscribers: Map<string, string[]>;
  nodes: ZoneNode[];
  supportedVersions: string[];
}

function bySource(objectsBySource: Map<string, string[]>, element: string, withExtendedQuery: boolean): SifJsonValue | undefined {
  const entries = [...objectsBySource.entries()].filter(([, names]) => names.length > 0);
  if (entries.length === 0) return undefined;
  return {
    [element]: entries.map(([sourceId, names]) => ({
      '@SourceId': sourceId,
      SIF_ObjectList: {
        SIF_Object: names.map((name) => ({
          '@ObjectName': name,
          ...(withExtendedQuery ? { SIF_ExtendedQuerySupport: 'false' } : {}),
          SIF_Contexts: { SIF_Context: [DEFAULT_CONTEXT] },
        })),
      },
    })),
  };
}

function node(n: ZoneNode): SifJsonObject {
  const out: SifJsonObject = { '@Type': 'Agent', SIF_Name: n.name, SIF_SourceId: n.sourceId, SIF_Mode: n.mode };
  if (n.protocol) {
    out['SIF_Protocol'] = { '@Type': n.protocol.type, '@Secure': n.protocol.secure ? 'Yes' : 'No', ...(n.protocol.url ? { SIF_URL: n.protocol.url } : {}) };
  }
  out['SIF_VersionList'] = { SIF_Version: [...n.versions] };
  out['SIF_MaxBufferSize'] = String(n.maxBufferSize);
  out['SIF_Sleeping'] = n.sleeping ? 'Yes' : 'No';
  return out;
}

/** The SIF_ZoneStatus document (SIF_ZoneStatusInfrastructureType), elements in XSD order. */
export function zoneStatus(input: ZoneStatusInput): SifJsonObject {
  const out: SifJsonObject = { '@ZoneId': input.zoneId, SIF_Name: input.name };
  const providers = bySource(input.providers, 'SIF_Provider', true);
  if (providers) out['SIF_Providers'] = providers;
  const subscribers = bySource(input.subscribers, 'SIF_Subscriber', false);
  if (subscribers) out['SIF_Subscribers'] = subscribers;
  if (input.nodes.length > 0) out['SIF_SIFNodes'] = { SIF_SIFNode: input.nodes.map(node) };
  out['SIF_SupportedProtocols'] = { SIF_Protocol: [{ '@Type': 'HTTP', '@Secure': 'No' }, { '@Type': 'HTTPS', '@Secure': 'Yes' }] };
  out['SIF_SupportedVersions'] = { SIF_Version: [...input.supportedVersions] };
  out['SIF_Contexts'] = { SIF_Context: [DEFAULT_CONTEXT] };
  return out;
}
