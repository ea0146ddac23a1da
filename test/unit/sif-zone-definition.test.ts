import { describe, expect, it } from 'vitest';
import { checkZoneDefinition, rightsProblems } from '../../src/zones/zone-definition.js';

const minimal = {
  id: 'lab',
  name: 'Lab',
  nodeAgent: { sourceId: 'NODE', name: 'Node', rights: { StudentPersonal: ['Subscribe'] } },
  agents: [{ sourceId: 'SIS', name: 'SIS', rights: { StudentPersonal: ['Provide', 'PublishAdd'] } }],
};

describe('zone definitions', () => {
  it('fills defaults', () => {
    const check = checkZoneDefinition(minimal);
    expect(check).toMatchObject({ kind: 'ok', zone: { owner: 'node', sifVersions: ['2.4'], maxMessageBytes: 1048576, zisSourceId: 'REX-ZIS', scope: { schools: [], schoolYears: [] } } });
  });

  it('refuses rights an object cannot have in SIF 2.4, unknown objects and unknown rights', () => {
    expect(rightsProblems({ StudentRecordExchange: ['Subscribe'] }, '/r')).toEqual(['/r/StudentRecordExchange: StudentRecordExchange cannot have the Subscribe right in SIF 2.4']);
    expect(rightsProblems({ Spaceship: ['Request'] }, '/r')).toEqual(['/r/Spaceship is not a SIF US 2.4 object']);
    expect(checkZoneDefinition({ ...minimal, agents: [{ sourceId: 'SIS', name: 'SIS', rights: { StudentPersonal: ['Own'] } }] }).kind).toBe('invalid');
  });

  it('refuses duplicate agents, a router-owned zone other than NationalRouter, and extra properties', () => {
    const twice = checkZoneDefinition({ ...minimal, agents: [...minimal.agents, ...minimal.agents] });
    expect(twice).toMatchObject({ kind: 'invalid', problems: ['agent SIS is listed twice'] });
    expect(checkZoneDefinition({ ...minimal, owner: 'router' }).kind).toBe('invalid');
    expect(checkZoneDefinition({ ...minimal, id: 'NationalRouter' }).kind).toBe('invalid');
    expect(checkZoneDefinition({ ...minimal, colour: 'blue' }).kind).toBe('invalid');
  });
});
