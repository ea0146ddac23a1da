import { agentAcl, errorAck, statusAck, zoneStatus } from '../../src/sif/sif-build.js';
import { sifError } from '../../src/sif/sif-error.js';
import { newHeader, SIF_VERSION, type SifMessage } from '../../src/sif/sif-message.js';
import { writeSifMessageContent } from '../../src/sif/sif-write.js';

/** A StudentPersonal in JSON form (valid against the US 2.4 XSD). */
export function studentPersonal(refId: string, last = 'Rivera', first = 'Ana'): Record<string, any> {
  return {
    StudentPersonal: {
      '@RefId': refId,
      LocalId: 'S-1001',
      Name: { '@Type': '04', LastName: last, FirstName: first, MiddleName: { '@xsi:nil': 'true' } },
      Demographics: { Gender: 'F', BirthDate: '2012-03-04' },
    },
  };
}

export const REF_ID = 'A1B2C3D4E5F60718293A4B5C6D7E8F90';

/** One message of every type and variant this code base reads or writes. */
export function everyMessage(): Record<string, SifMessage> {
  const h = (source = 'SIS-AGENT') => newHeader(source);
  const ping: SifMessage = { type: 'SIF_SystemControl', version: SIF_VERSION, header: h(), command: 'SIF_Ping' };
  return {
    registerPush: {
      type: 'SIF_Register',
      version: SIF_VERSION,
      header: h(),
      name: 'Saguaro SIS',
      versions: ['2.4', '2.*'],
      maxBufferSize: 1048576,
      mode: 'Push',
      protocol: { type: 'HTTP', secure: false, url: 'http://127.0.0.1:9/sif', properties: [{ name: 'Accept-Encoding', value: 'identity' }] },
      nodeVendor: 'Rex',
      nodeVersion: '0.1',
      application: { vendor: 'Rex', product: 'SIS', version: '1.0' },
    },
    registerPull: { type: 'SIF_Register', version: SIF_VERSION, header: { ...h(), contexts: ['SIF_Default'] }, name: 'Pull agent', versions: ['2.4'], maxBufferSize: 65536, mode: 'Pull' },
    unregister: { type: 'SIF_Unregister', version: SIF_VERSION, header: h() },
    provision: {
      type: 'SIF_Provision',
      version: SIF_VERSION,
      header: h(),
      objects: {
        provide: [{ objectName: 'StudentPersonal', extendedQuerySupport: false }],
        subscribe: [{ objectName: 'SchoolInfo' }],
        publishAdd: [{ objectName: 'StudentPersonal' }],
        publishChange: [{ objectName: 'StudentPersonal' }],
        publishDelete: [],
        request: [{ objectName: 'SchoolInfo' }],
        respond: [{ objectName: 'StudentPersonal', contexts: ['SIF_Default'] }],
      },
    },
    provide: { type: 'SIF_Provide', version: SIF_VERSION, header: h(), objects: [{ objectName: 'StudentPersonal', extendedQuerySupport: true }] },
    unprovide: { type: 'SIF_Unprovide', version: SIF_VERSION, header: h(), objects: [{ objectName: 'StudentPersonal' }] },
    subscribe: { type: 'SIF_Subscribe', version: SIF_VERSION, header: h(), objects: [{ objectName: 'StudentPersonal' }, { objectName: 'SchoolInfo' }] },
    unsubscribe: { type: 'SIF_Unsubscribe', version: SIF_VERSION, header: h(), objects: [{ objectName: 'SchoolInfo' }] },
    eventAdd: { type: 'SIF_Event', version: SIF_VERSION, header: h(), objectName: 'StudentPersonal', action: 'Add', object: studentPersonal(REF_ID) },
    eventChange: { type: 'SIF_Event', version: SIF_VERSION, header: h(), objectName: 'StudentPersonal', action: 'Change', object: studentPersonal(REF_ID, 'Rivera & Sons <x>') },
    eventDelete: { type: 'SIF_Event', version: SIF_VERSION, header: h(), objectName: 'StudentPersonal', action: 'Delete', object: { StudentPersonal: { '@RefId': REF_ID } } },
    request: {
      type: 'SIF_Request',
      version: SIF_VERSION,
      header: { ...h(), destinationId: 'SIS-AGENT', security: { authenticationLevel: 0, encryptionLevel: 0 } },
      versions: ['2.4'],
      maxBufferSize: 65536,
      query: {
        objectName: 'StudentPersonal',
        elements: ['@RefId', 'Name/LastName'],
        conditionGroup: {
          '@Type': 'None',
          SIF_Conditions: [{ '@Type': 'And', SIF_Condition: [{ SIF_Element: '@RefId', SIF_Operator: 'EQ', SIF_Value: REF_ID }] }],
        },
      },
    },
    extendedRequest: {
      type: 'SIF_Request',
      version: SIF_VERSION,
      header: h(),
      versions: ['2.4'],
      maxBufferSize: 65536,
      extendedQuery: {
        SIF_Select: { '@Distinct': 'false', '@RowCount': 'All', SIF_Element: [{ '@ObjectName': 'StudentPersonal', '#text': 'Name/LastName' }] },
        SIF_From: { '@ObjectName': 'StudentPersonal' },
      },
    },
    response: {
      type: 'SIF_Response',
      version: SIF_VERSION,
      header: { ...h('SIS-AGENT'), destinationId: 'NODE' },
      requestMsgId: REF_ID,
      packetNumber: 1,
      morePackets: false,
      objectData: { StudentPersonal: [studentPersonal(REF_ID).StudentPersonal, studentPersonal('B1B2C3D4E5F60718293A4B5C6D7E8F90', 'Lee', 'Kim').StudentPersonal] },
    },
    responseEmpty: { type: 'SIF_Response', version: SIF_VERSION, header: h(), requestMsgId: REF_ID, packetNumber: 2, morePackets: false, objectData: {} },
    responseError: { type: 'SIF_Response', version: SIF_VERSION, header: h(), requestMsgId: REF_ID, packetNumber: 1, morePackets: false, error: sifError(8, 3, 'no such object') },
    ping,
    sleep: { type: 'SIF_SystemControl', version: SIF_VERSION, header: h(), command: 'SIF_Sleep' },
    wakeup: { type: 'SIF_SystemControl', version: SIF_VERSION, header: h(), command: 'SIF_Wakeup' },
    getMessage: { type: 'SIF_SystemControl', version: SIF_VERSION, header: h(), command: 'SIF_GetMessage' },
    getAgentAcl: { type: 'SIF_SystemControl', version: SIF_VERSION, header: h(), command: 'SIF_GetAgentACL' },
    getZoneStatus: { type: 'SIF_SystemControl', version: SIF_VERSION, header: h(), command: 'SIF_GetZoneStatus' },
    ackImmediate: statusAck('ZIS', { msgId: REF_ID, sourceId: 'SIS-AGENT' }, 1),
    ackSuccess: statusAck('ZIS', { msgId: REF_ID, sourceId: 'SIS-AGENT' }, 0),
    ackIntermediate: statusAck('SIS-AGENT', { msgId: REF_ID, sourceId: 'ZIS' }, 2),
    ackFinal: statusAck('SIS-AGENT', { msgId: REF_ID, sourceId: 'ZIS' }, 3),
    ackDuplicate: statusAck('ZIS', { msgId: REF_ID, sourceId: 'SIS-AGENT' }, 7),
    ackSleeping: statusAck('ZIS', { msgId: REF_ID, sourceId: 'SIS-AGENT' }, 8),
    ackNoMessages: statusAck('ZIS', { msgId: REF_ID, sourceId: 'SIS-AGENT' }, 9),
    ackGetMessage: statusAck('ZIS', { msgId: REF_ID, sourceId: 'SIS-AGENT' }, 0, {
      kind: 'message',
      message: writeSifMessageContent({ type: 'SIF_Event', version: SIF_VERSION, header: h('OTHER'), objectName: 'StudentPersonal', action: 'Add', object: studentPersonal(REF_ID) }),
    }),
    ackAcl: statusAck('ZIS', { msgId: REF_ID, sourceId: 'SIS-AGENT' }, 0, {
      kind: 'agentACL',
      acl: agentAcl({ provide: ['StudentPersonal'], subscribe: ['SchoolInfo'], publishAdd: ['StudentPersonal'], publishChange: [], publishDelete: [], request: ['SchoolInfo'], respond: ['StudentPersonal'] }),
    }),
    ackZoneStatus: statusAck('ZIS', { msgId: REF_ID, sourceId: 'SIS-AGENT' }, 0, {
      kind: 'zoneStatus',
      zoneStatus: zoneStatus({
        zoneId: 'district-sis',
        name: 'District SIS zone',
        providers: new Map([['SIS-AGENT', ['StudentPersonal']]]),
        subscribers: new Map([['NODE', ['StudentPersonal', 'SchoolInfo']]]),
        nodes: [{ sourceId: 'SIS-AGENT', name: 'SIS', mode: 'Push', protocol: { type: 'HTTP', secure: false, url: 'http://127.0.0.1:9/', properties: [] }, versions: ['2.4'], maxBufferSize: 65536, sleeping: false }],
        supportedVersions: ['2.4'],
      }),
    }),
    ackError: errorAck('ZIS', { msgId: REF_ID, sourceId: 'SIS-AGENT' }, sifError(4, 10, 'StudentPersonal')),
    ackErrorNil: errorAck('ZIS', { msgId: null, sourceId: null }, sifError(1, 2, 'unexpected end of input')),
  };
}
