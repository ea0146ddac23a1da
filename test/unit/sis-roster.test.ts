import { describe, expect, it } from 'vitest';
import { SUBSCRIBE_OBJECT_NAMES } from '../../src/sif/object-names.js';
import { encodeSif } from '../../src/sif/sif-codec.js';
import { newHeader, SIF_VERSION, type SifRequest } from '../../src/sif/sif-message.js';
import { answerPackets } from '../../src/sis-agent/sis-answers.js';
import { buildSisRoster } from '../../src/sis-agent/sis-roster.js';
import { defaultCodeSets } from '../../src/sis-mapping/code-sets.js';
import { mapSifObject, SIS_OBJECT_NAMES, type ObjectKey } from '../../src/sis-mapping/sis-mapping.js';
import { validateAgainstSifXsd } from '../support/xsd-validate.js';

const roster = buildSisRoster({ students: 3, district: { ncesId: '0499901', name: 'Saguaro Unified', state: 'AZ' } });

function request(objectName: string, maxBufferSize: number): SifRequest {
  return { type: 'SIF_Request', version: SIF_VERSION, header: newHeader('REX-NODE'), versions: [SIF_VERSION], maxBufferSize, query: { objectName, elements: [] } };
}

describe('the simulated SIS roster (Ed-Fi → SIF)', () => {
  it('has every mapped object type, in dependency order', () => {
    const names = [...new Set(roster.objects.map((o) => o.objectName))];
    // StudentParticipation comes from special education (about 13% of students): none of these three has one.
    // The simulator publishes programs as StudentParticipation only: StudentSnapshot flags would duplicate those associations.
    expect(names).toEqual(SIS_OBJECT_NAMES.filter((n) => n !== 'StudentParticipation' && n !== 'StudentSnapshot'));
    const larger = buildSisRoster({ students: 20, district: { ncesId: '0499901', name: 'Saguaro Unified', state: 'AZ' } });
    expect(larger.byName('StudentParticipation').length).toBeGreaterThan(0);
  });

  it('writes events and response packets that validate against the SIF US 2.4 XSD', () => {
    const documents: Record<string, string> = {};
    // StudentAcademicRecord has no SIF_Events in SIF 2.4: it only travels in responses (below).
    roster.objects.filter((o) => SUBSCRIBE_OBJECT_NAMES.has(o.objectName)).forEach((o, i) => {
      documents[`${i}-${o.objectName}`] = encodeSif({ type: 'SIF_Event', version: SIF_VERSION, header: newHeader('SIS-AGENT'), objectName: o.objectName, action: 'Add', object: { [o.objectName]: o.object } }, 'xml');
    });
    const packets = [...answerPackets(roster, request('StudentPersonal', 4096)), ...answerPackets(roster, request('StudentAcademicRecord', 65536))];
    packets.forEach((packet, i) => {
      documents[`response-${i}`] = encodeSif(
        { type: 'SIF_Response', version: SIF_VERSION, header: newHeader('SIS-AGENT'), requestMsgId: 'A'.repeat(32), packetNumber: i + 1, morePackets: i < packets.length - 1, ...packet },
        'xml',
      );
    });
    expect(validateAgainstSifXsd(documents)).toEqual({});
  });

  it('maps back to Ed-Fi without a failure (the code sets reverse cleanly)', () => {
    const keys = new Map<string, ObjectKey>();
    // Marks find their StudentSectionEnrollment by the student and section RefIds it carries.
    const enrollmentOf = (attributes: Readonly<Record<string, unknown>>) => `${String(attributes['@StudentPersonalRefId'])} ${String(attributes['@SectionInfoRefId'])}`;
    const context = {
      codes: defaultCodeSets(),
      localEducationAgencyId: 499901,
      keyOf: (n: string, r: string) => keys.get(`${n} ${r}`),
      relatedKeyOf: (n: string, attributes: Readonly<Record<string, string>>) => keys.get(`${n} ${enrollmentOf(attributes)}`),
    };
    const failures: string[] = [];
    for (const { objectName, object } of roster.objects) {
      const result = mapSifObject(objectName, object, context);
      if (result.kind === 'mapped' && objectName === 'StudentSectionEnrollment') keys.set(`${objectName} ${enrollmentOf(object)}`, result.key);
      if (result.kind === 'mapped') keys.set(`${objectName} ${result.refId}`, result.key);
      else failures.push(`${objectName}: ${result.reason}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers a request in packets no larger than SIF_MaxBufferSize, and refuses queries it cannot run', () => {
    const packets = answerPackets(roster, request('SectionInfo', 4096));
    expect(packets.length).toBeGreaterThan(1);
    const objects = packets.flatMap((p) => ('objectData' in p ? (p.objectData['SectionInfo'] as unknown[]) : []));
    expect(objects).toHaveLength(roster.byName('SectionInfo').length);
    for (const [i, packet] of packets.entries()) {
      const xml = encodeSif({ type: 'SIF_Response', version: SIF_VERSION, header: newHeader('SIS-AGENT'), requestMsgId: 'A'.repeat(32), packetNumber: i + 1, morePackets: true, ...packet }, 'xml');
      expect(Buffer.byteLength(xml)).toBeLessThanOrEqual(4096);
    }
    const ranged = request('StudentPersonal', 65536);
    ranged.query!.conditionGroup = { '@Type': 'None', SIF_Conditions: [{ '@Type': 'None', SIF_Condition: [{ SIF_Element: 'LocalId', SIF_Operator: 'GT', SIF_Value: '1' }] }] };
    expect(answerPackets(roster, ranged)).toMatchObject([{ error: { category: 8, code: 9 } }]);
  });
});
