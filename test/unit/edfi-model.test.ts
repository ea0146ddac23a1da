import { describe, expect, it } from 'vitest';
import { identityHash, identityOf, prepareDocument } from '../../src/edfi/document-identity.js';
import { edfiProblem, isEdfiFailure } from '../../src/edfi/edfi-problem.js';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';

const spec = edfiSpec();

describe('Ed-Fi model', () => {
  it('takes identity from x-Ed-Fi-isIdentity, including role-named reference fields', () => {
    const grade = spec.resource('ed-fi', 'grades')!;
    const field = grade.identity.find((f) => f.name === 'gradingPeriodSchoolYear');
    expect(field?.path).toEqual(['gradingPeriodReference', 'schoolYear']);
    const transcript = spec.resource('ed-fi', 'courseTranscripts')!;
    expect(transcript.identity.find((f) => f.name === 'courseEducationOrganizationId')?.path).toEqual(['courseReference', 'educationOrganizationId']);
  });

  it('knows superclasses, descriptors of role-named properties and serves every resource', () => {
    expect(spec.resource('ED-FI', 'SCHOOLS')!.superclass).toEqual({ target: 'ed-fi/educationOrganizations', rename: { schoolId: 'educationOrganizationId' } });
    const ssa = spec.resource('ed-fi', 'studentSchoolAssociations')!;
    expect(ssa.descriptors.find((d) => d.path.join('.') === 'entryGradeLevelDescriptor')?.descriptor).toBe('gradeLevelDescriptors');
    for (const name of ['calendars', 'staffs', 'gradingPeriods', 'studentHealths', 'sexDescriptors']) expect(spec.resource('ed-fi', name)).toBeDefined();
    expect(spec.resource('rex', 'studentHealthConditions')).toBeDefined();
  });

  it('hashes a reference and the identity it points to alike', () => {
    const ssa = spec.resource('ed-fi', 'studentSchoolAssociations')!;
    const doc = { studentReference: { studentUniqueId: 'S1' }, schoolReference: { schoolId: 7 }, entryDate: '2025-08-01' };
    expect(identityOf(ssa, doc)).toEqual({ entryDate: '2025-08-01', schoolId: 7, studentUniqueId: 'S1' });
    expect(identityHash({ schoolId: 7, entryDate: '2025-08-01', studentUniqueId: 'S1' })).toBe(identityHash(identityOf(ssa, doc)));
  });

  it('reports validation failures by JSON path as problem details', () => {
    const failure = prepareDocument(spec, spec.resource('ed-fi', 'students')!, { studentUniqueId: 'S1', firstName: 'A', lastSurname: 'B', birthDate: 'no' });
    expect(isEdfiFailure(failure)).toBe(true);
    if (!isEdfiFailure(failure)) return;
    const problem = edfiProblem(failure, 'c-1');
    expect(problem).toMatchObject({ status: 400, type: 'urn:ed-fi:api:bad-request:data-validation-failed', correlationId: 'c-1' });
    expect(Object.keys(problem.validationErrors)).toEqual(['$.birthDate']);
  });
});
