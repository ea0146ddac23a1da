import { describe, expect, it } from 'vitest';
import { matchKeyOf, type MatchDemographics } from '../../src/matching/demographics.js';
import { demographicsFromEdfi } from '../../src/matching/edfi-demographics.js';
import { nearLookupKeysOf } from '../../src/matching/lookup-keys.js';
import { normalizeBirthDate, normalizeGender, normalizeName } from '../../src/matching/normalize.js';
import { decideMatch, matchErrorReport, nearCandidates, type MatchCandidate } from '../../src/matching/student-match.js';
import { SSN_ASSIGNING_ORGANIZATION } from '../../src/seed/enrollment-records.js';

const jenna: MatchDemographics = { firstName: 'Jenna', middleName: 'Marie', lastSurname: 'Abrams', birthDate: '2009-02-12', gender: 'Female' };

let next = 0;
function student(changes: Partial<MatchDemographics>, base: MatchDemographics = jenna): MatchCandidate {
  next += 1;
  return { studentId: `S-${next}`, demographics: { ...base, ...changes } };
}

describe('normalizeName', () => {
  it.each([
    ["O'Brien", 'O’Brien'],
    ["O'Brien", 'OBrien'],
    ["O'Brien", 'oʼbrien'],
    ['Smith-Jones', 'Smith–Jones'],
    ['Smith-Jones', 'Smith — Jones'],
    ['Smith-Jones', 'SMITH‑JONES'],
    ['José', 'Jose'],
    ['Zoë', 'ZOE'],
    ['Nguyễn', 'Nguyen'],
    ['  mary  ann ', 'Mary Ann'],
    ['Mary\u00A0Ann', 'mary ann'],
    ['Strauß', 'Strauss'],
  ])('%j equals %j', (a, b) => {
    expect(normalizeName(a)).toBe(normalizeName(b));
  });

  it.each([
    ['Smith', 'Smyth'],
    ['Ann', 'Anne'],
    ['Mary Ann', 'Maryann'],
  ])('%j differs from %j', (a, b) => {
    expect(normalizeName(a)).not.toBe(normalizeName(b));
  });

  it('gives a stable lower-case form', () => {
    expect(normalizeName("  O’Brien–Smith ")).toBe('obrien smith');
    expect(normalizeName(undefined)).toBe('');
  });
});

describe('field normalization', () => {
  it('reads ISO and US birth dates and refuses impossible ones', () => {
    expect(normalizeBirthDate('2009-2-3')).toBe('2009-02-03');
    expect(normalizeBirthDate('02/03/2009')).toBe('2009-02-03');
    expect(normalizeBirthDate('2009-02-30')).toBe('');
    expect(normalizeBirthDate('yesterday')).toBe('');
  });

  it('treats a descriptor URI, a code and a word for the same gender as one', () => {
    expect(normalizeGender('uri://ed-fi.org/SexDescriptor#Female')).toBe('female');
    expect(normalizeGender('F')).toBe('female');
    expect(normalizeGender('male')).toBe(normalizeGender('M'));
  });
});

describe('matchKeyOf', () => {
  it('is the normalized last|first|birthDate|gender key, the same for every spelling variant', () => {
    expect(matchKeyOf(jenna)).toBe('abrams|jenna|2009-02-12|female');
    expect(matchKeyOf({ ...jenna, firstName: ' JENNA ', lastSurname: 'abrams', gender: 'F', middleName: undefined })).toBe(matchKeyOf(jenna));
  });

  it('gives the near-candidate lookup keys', () => {
    expect(nearLookupKeysOf(jenna)).toEqual({ lastFirst: 'abrams|jenna', lastBirth: 'abrams|2009-02-12', firstBirth: 'jenna|2009-02-12' });
  });
});

type Expected = 'matched' | 'no-match' | 'multiple' | 'invalid-request';

describe('decideMatch', () => {
  const cases: [string, MatchDemographics, Partial<MatchDemographics>[], Expected][] = [
    ['exact', jenna, [{}], 'matched'],
    ['case, accents and spaces', { ...jenna, firstName: 'JÉNNA ', lastSurname: '  abrams' }, [{}], 'matched'],
    ['apostrophe variants', { ...jenna, lastSurname: "O'Brien" }, [{ lastSurname: 'O’Brien' }], 'matched'],
    ['apostrophe left out', { ...jenna, lastSurname: "O'Brien" }, [{ lastSurname: 'OBrien' }], 'matched'],
    ['hyphen and en dash', { ...jenna, lastSurname: 'Smith-Jones' }, [{ lastSurname: 'Smith–Jones' }], 'matched'],
    ['accented first name', { ...jenna, firstName: 'José', gender: 'Male' }, [{ firstName: 'Jose', gender: 'Male' }], 'matched'],
    ['double first name with stray spaces', { ...jenna, firstName: '  mary  ann ' }, [{ firstName: 'Mary Ann' }], 'matched'],
    ['middle initial against full middle name', { ...jenna, middleName: 'M.' }, [{ middleName: 'Marie' }], 'matched'],
    ['full middle name against initial', jenna, [{ middleName: 'M' }], 'matched'],
    ['different full middle names with the same initial', jenna, [{ middleName: 'Michelle' }], 'no-match'],
    ['different middle initial', jenna, [{ middleName: 'K' }], 'no-match'],
    ['middle name missing on the request', { ...jenna, middleName: undefined }, [{}], 'matched'],
    ['middle name missing on the student', jenna, [{ middleName: undefined }], 'matched'],
    ['SSN on both sides, equal', { ...jenna, ssn: '900-12-3456' }, [{ ssn: '900123456' }], 'matched'],
    ['SSN on both sides, different', { ...jenna, ssn: '900-12-3456' }, [{ ssn: '900-12-9999' }], 'no-match'],
    ['SSN on the request only', { ...jenna, ssn: '900-12-3456' }, [{}], 'matched'],
    ['SSN on the student only', jenna, [{ ssn: '900-12-3456' }], 'matched'],
    ['placeholder SSN counts as absent', { ...jenna, ssn: '000-00-0000' }, [{ ssn: '900-12-3456' }], 'matched'],
    ['twins: same birth date and last name, different first names', jenna, [{ firstName: 'Jessica' }, {}], 'matched'],
    ['two identical records', jenna, [{}, {}], 'multiple'],
    ['birth date off', jenna, [{ birthDate: '2009-12-02' }], 'no-match'],
    ['gender differs', jenna, [{ gender: 'Male' }], 'no-match'],
    ['no candidates', jenna, [], 'no-match'],
    ['request without a birth date', { ...jenna, birthDate: '' }, [{}], 'invalid-request'],
    ['request without a gender', { ...jenna, gender: ' ' }, [{}], 'invalid-request'],
    ['student record without a gender', jenna, [{ gender: '' }], 'no-match'],
  ];

  it.each(cases)('%s', (_name, request, candidates, expected) => {
    expect(decideMatch(request, candidates.map((c) => student(c))).kind).toBe(expected);
  });

  it('answers with the one student that matches, never one of several', () => {
    const twin = student({ firstName: 'Jessica' });
    const right = student({});
    const decision = decideMatch(jenna, [twin, right]);
    expect(decision).toEqual({ kind: 'matched', student: right });
    const same = [student({}), student({})];
    expect(decideMatch(jenna, same)).toEqual({ kind: 'multiple', candidates: same });
  });

  it('names the missing required fields of an invalid request', () => {
    const decision = decideMatch({ ...jenna, firstName: '', birthDate: '2009-13-45' }, [student({})]);
    expect(decision).toEqual({ kind: 'invalid-request', missing: ['firstName', 'birthDate'] });
  });

  it('lists a near candidate with the birth date difference when the exact match fails', () => {
    const transposed = student({ birthDate: '2009-12-02' });
    const decision = decideMatch(jenna, [transposed]);
    if (decision.kind !== 'no-match') throw new Error(`expected no-match, got ${decision.kind}`);
    expect(decision.near).toHaveLength(1);
    expect(decision.near[0]?.student).toBe(transposed);
    expect(decision.near[0]?.differences).toEqual([
      expect.objectContaining({ field: 'birthDate', kind: 'day-month-transposed', request: '2009-02-12', candidate: '2009-12-02' }),
    ]);
  });
});

describe('nearCandidates', () => {
  it('describes each kind of difference and ranks the closest first', () => {
    const pool = [
      student({ firstName: 'Jen', birthDate: '2009-02-12' }, { ...jenna, firstName: 'William' }),
      student({ firstName: 'J' }),
      student({ lastSurname: 'Abrams-Lee' }),
      student({ birthDate: '2009-02-21' }),
      student({ birthDate: '2008-02-12' }),
      student({ gender: 'Male' }),
      student({ firstName: 'Jenna', ssn: '900-12-3465' }, { ...jenna, ssn: undefined }),
    ];
    const near = nearCandidates({ ...jenna, firstName: 'Bill' }, [
      student({ firstName: 'William' }),
      student({ firstName: 'Bill', birthDate: '2009-12-02' }),
    ]);
    expect(near.map((n) => n.differences.map((d) => `${d.field}:${d.kind}`))).toEqual([['birthDate:day-month-transposed'], ['firstName:nickname']]);
    expect(near[0]!.score).toBeGreaterThan(near[1]!.score);

    const kinds = nearCandidates({ ...jenna, ssn: '900-12-3456' }, pool).map((n) => n.differences.map((d) => `${d.field}:${d.kind}`).join(','));
    expect(kinds).toEqual(
      expect.arrayContaining([
        'firstName:initial',
        'lastSurname:hyphen-part',
        'birthDate:digits-transposed',
        'birthDate:one-digit',
        'gender:differs',
        'ssn:digits-transposed',
      ]),
    );
    expect(kinds).not.toContain('firstName:differs');
  });

  it('leaves out students who differ in more than one required field, and exact matches', () => {
    const pool = [student({}), student({ firstName: 'Maria', birthDate: '2011-06-01' }), student({ firstName: 'Maria', gender: 'Male' })];
    expect(nearCandidates(jenna, pool)).toEqual([]);
  });

  it('never shows a full SSN in a difference', () => {
    const [near] = nearCandidates({ ...jenna, ssn: '900-12-3456' }, [student({ ssn: '900-12-3465' })]);
    expect(near?.differences[0]).toMatchObject({ field: 'ssn', request: '***-**-3456', candidate: '***-**-3465' });
    expect(JSON.stringify(near?.differences)).not.toContain('900');
  });
});

describe('matchErrorReport', () => {
  it('says why matching failed and nothing about other students', () => {
    expect(matchErrorReport({ kind: 'no-match', near: [] })).toEqual({ code: 'exact-match-not-found', message: expect.stringMatching(/exact match not found/i) });
    const report = matchErrorReport({ kind: 'multiple', candidates: [student({}), student({})] });
    expect(report.code).toBe('multiple-students-match');
    expect(report.message).toMatch(/multiple students match/);
    expect(report.message).not.toMatch(/S-\d/);
  });
});

describe('demographicsFromEdfi', () => {
  it('reads names and birth date from the student, sex and SSN from the district association', () => {
    const demographics = demographicsFromEdfi(
      { firstName: 'Jenna', middleName: 'Marie', lastSurname: 'Abrams', birthDate: '2009-02-12', birthSexDescriptor: 'uri://ed-fi.org/SexDescriptor#Female' },
      {
        sexDescriptor: 'uri://ed-fi.org/SexDescriptor#Female',
        studentIdentificationCodes: [
          { studentIdentificationSystemDescriptor: 'uri://ed-fi.org/StudentIdentificationSystemDescriptor#District', assigningOrganizationIdentificationCode: '499901', identificationCode: '604123' },
          { studentIdentificationSystemDescriptor: 'uri://ed-fi.org/StudentIdentificationSystemDescriptor#SSN', assigningOrganizationIdentificationCode: SSN_ASSIGNING_ORGANIZATION, identificationCode: '900-12-3456' },
        ],
      },
    );
    expect(demographics).toEqual({ ...jenna, ssn: '900-12-3456' });
    expect(decideMatch(jenna, [{ studentId: '604123', demographics }]).kind).toBe('matched');
  });

  it('falls back to the birth sex and leaves out an absent middle name and SSN', () => {
    expect(demographicsFromEdfi({ firstName: 'Al', lastSurname: 'Ng', birthDate: '2010-01-01', birthSexDescriptor: 'uri://ed-fi.org/SexDescriptor#Male' })).toEqual({
      firstName: 'Al',
      lastSurname: 'Ng',
      birthDate: '2010-01-01',
      gender: 'Male',
    });
  });
});
