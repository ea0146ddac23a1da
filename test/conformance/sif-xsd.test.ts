import { describe, expect, it } from 'vitest';
import { buildSifXml, parseSifXml } from '../../src/sif/json-mapping.js';
import { encodeSif } from '../../src/sif/sif-codec.js';
import { newHeader, SIF_VERSION } from '../../src/sif/sif-message.js';
import { answerPackets } from '../../src/sis-agent/sis-answers.js';
import { buildSisRoster } from '../../src/sis-agent/sis-roster.js';
import { everyMessage } from '../support/sif-samples.js';
import { canonicalXml, validateAgainstSifXsd } from '../support/xsd-validate.js';

describe('SIF messages we emit validate against the official US 2.4 XSD', () => {
  it('every message type, every ack status, ACL, zone status and error ack', () => {
    const documents = Object.fromEntries(Object.entries(everyMessage()).map(([name, message]) => [name, encodeSif(message, 'xml')]));
    expect(Object.keys(documents).length).toBeGreaterThan(30);
    expect(validateAgainstSifXsd(documents)).toEqual({});
  });

  it('the SIS simulator\'s marks, grades, academic records and program participation (events and responses)', () => {
    const roster = buildSisRoster({ students: 20, district: { ncesId: '0499901', name: 'Saguaro Unified', state: 'AZ' } });
    const documents: Record<string, string> = {};
    for (const objectName of ['StudentSectionMarks', 'StudentGrade', 'StudentParticipation']) {
      const objects = roster.byName(objectName).slice(0, 3);
      expect(objects.length, objectName).toBeGreaterThan(0);
      objects.forEach((o, i) => {
        documents[`${objectName}-${i}`] = encodeSif({ type: 'SIF_Event', version: SIF_VERSION, header: newHeader('SIS-AGENT'), objectName, action: 'Add', object: { [objectName]: o.object } }, 'xml');
      });
    }
    // StudentAcademicRecord and StudentSnapshot have no SIF_Events in SIF 2.4: the simulator only answers requests for them
    // (it has no snapshots: its programs go out as StudentParticipation, so that answer is an empty packet).
    for (const objectName of ['StudentAcademicRecord', 'StudentSnapshot']) {
      const query = { objectName, elements: [] };
      const packets = answerPackets(roster, { type: 'SIF_Request', version: SIF_VERSION, header: newHeader('REX-NODE'), versions: [SIF_VERSION], maxBufferSize: 65536, query });
      packets.forEach((packet, i) => {
        documents[`${objectName}-response-${i}`] = encodeSif(
          { type: 'SIF_Response', version: SIF_VERSION, header: newHeader('SIS-AGENT'), requestMsgId: 'A'.repeat(32), packetNumber: i + 1, morePackets: i < packets.length - 1, ...packet },
          'xml',
        );
      });
    }
    expect(validateAgainstSifXsd(documents)).toEqual({});
  });

  it('catches an invalid document (the check is real)', () => {
    const broken = encodeSif(everyMessage()['ping']!, 'xml').replace('<SIF_Ping/>', '<SIF_Pong/>');
    expect(Object.keys(validateAgainstSifXsd({ broken }))).toEqual(['broken']);
  });

  it('XML → JSON → XML keeps the canonical form, for prefixed and pretty-printed input', () => {
    const xml = encodeSif(everyMessage()['response']!, 'xml');
    const pretty = xml
      .replace('<SIF_Message xmlns="http://www.sifinfo.org/infrastructure/2.x"', '<sif:SIF_Message xmlns:sif="http://www.sifinfo.org/infrastructure/2.x"')
      .replace(/<(\/?)(?!sif:|\?)([A-Za-z_])/g, '<$1sif:$2')
      .replace(/></g, '>\n  <');
    const parsed = parseSifXml(pretty);
    if (parsed.kind !== 'ok') throw new Error(parsed.error.extendedDesc);
    const rebuilt = buildSifXml(parsed.value);
    expect(canonicalXml(rebuilt)).toBe(canonicalXml(xml));
    expect(validateAgainstSifXsd({ pretty, rebuilt })).toEqual({});
  });
});
