import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { descriptorHash, documentReferences, identityHash, identityOf, prepareDocument } from '../../src/edfi/document-identity.js';
import { edfiProblem, isEdfiFailure } from '../../src/edfi/edfi-problem.js';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';
import { missingFailure } from '../../src/records/document-store.js';

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

  it('hashes the canonical JSON of an identity, so hashes stored by earlier versions still match', () => {
    const canonical = (identity: Record<string, unknown>) =>
      createHash('sha256').update(JSON.stringify(Object.keys(identity).sort().map((key) => [key, identity[key]]))).digest('base64url').slice(0, 24);
    const identities = [
      { studentUniqueId: 'S1' },
      { schoolId: 7, entryDate: '2025-08-01', studentUniqueId: 'S1' },
      { name: 'Ana "Quote" \\ Ünïcode \u2028', b: true, a: 1.5 },
      { present: 'x', absent: undefined },
      {},
    ];
    for (const identity of identities) expect(identityHash(identity)).toBe(canonical(identity));
    // Twice: the second answer comes from the descriptor cache.
    for (let i = 0; i < 2; i++) {
      expect(descriptorHash('uri://ed-fi.org/SexDescriptor#Female')).toBe(canonical({ uri: 'uri://ed-fi.org/SexDescriptor#Female' }));
      expect(descriptorHash('uri://ed-fi.org/SexDescriptor#Male')).toBe(canonical({ uri: 'uri://ed-fi.org/SexDescriptor#Male' }));
    }
  });

  it('names the JSON path of each reference, array items included', () => {
    const seoa = spec.resource('ed-fi', 'studentEducationOrganizationAssociations')!;
    const body = {
      studentReference: { studentUniqueId: 'S1' },
      educationOrganizationReference: { educationOrganizationId: 7 },
      races: [{ raceDescriptor: 'uri://ed-fi.org/RaceDescriptor#White' }, { raceDescriptor: 'uri://ed-fi.org/RaceDescriptor#Asian' }],
    };
    const paths = documentReferences(seoa, body).map((r) => r.path);
    expect(paths).toEqual(expect.arrayContaining(['$.studentReference', '$.educationOrganizationReference', '$.races[0].raceDescriptor', '$.races[1].raceDescriptor']));
    expect(paths).toHaveLength(4);
    // The store's failures name them by path: an unresolved reference (409) and an unknown descriptor value (400).
    const references = documentReferences(seoa, body);
    const student = references.find((r) => r.target === 'ed-fi/students')!;
    expect(missingFailure(references, [[student.target, student.hash]])).toMatchObject({ errors: ["The referenced 'Student' resource at $.studentReference does not exist."] });
    const district = references.find((r) => r.path === '$.educationOrganizationReference')!;
    expect(missingFailure(references, [[district.target, district.hash]])).toMatchObject({ errors: ["The referenced 'EducationOrganization' resource at $.educationOrganizationReference does not exist."] });
    const asian = references.find((r) => r.hash === descriptorHash('uri://ed-fi.org/RaceDescriptor#Asian'))!;
    expect(missingFailure(references, [[asian.target, asian.hash]])).toMatchObject({ validationErrors: { '$.races[1].raceDescriptor': ['RaceDescriptor value does not exist.'] } });
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
