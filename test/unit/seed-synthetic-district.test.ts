import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { XMLParser } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CURRENT_SCHOOL_YEAR,
  SSN_ASSIGNING_ORGANIZATION,
  STUDENT_HEALTH_CONDITIONS_SCHEMA,
  generateSyntheticDistrict,
  iterateSyntheticDistrict,
  syntheticDescriptorUris,
  usedDescriptorUris,
  type StudentHealthConditionsDocument,
  type SyntheticRecord,
} from '../../src/seed/synthetic-district.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const EDFI_STANDARDS = resolve(ROOT, '../shared/standards/edfi');
const DS5_SPEC = join(EDFI_STANDARDS, 'resources-ds-5.0.yaml');
const DS6_SPEC = join(EDFI_STANDARDS, 'resources-ds-6.0.yaml');
const DESCRIPTOR_CATALOG = join(EDFI_STANDARDS, 'descriptors-5.2');
const GENERATED_SCHEMAS = join(ROOT, 'schemas/edfi');

const specMissing = !existsSync(DS5_SPEC) || !existsSync(DS6_SPEC);
const catalogMissing = !existsSync(DESCRIPTOR_CATALOG);
if (specMissing) console.warn(`skipping Ed-Fi spec checks: ${DS5_SPEC} or ${DS6_SPEC} is missing`);
if (catalogMissing) console.warn(`skipping descriptor catalog check: ${DESCRIPTOR_CATALOG} is missing`);

const OPTIONS = { students: 400, seed: 7, district: { ncesId: '0400720', name: 'Desert Sky Unified School District', state: 'AZ' } };

type Doc = Record<string, any>;
type Schema = Record<string, any>;

let records: SyntheticRecord[];
const docs = (resource: string): Doc[] => records.filter((r) => r.resource === resource).map((r) => r.document as Doc);

beforeAll(() => {
  records = generateSyntheticDistrict(OPTIONS);
});

describe('generateSyntheticDistrict: determinism and size', () => {
  it('gives byte-identical output for the same options, and the iterator yields the same records', () => {
    const again = JSON.stringify(generateSyntheticDistrict(OPTIONS));
    expect(again).toBe(JSON.stringify(records));
    expect(JSON.stringify([...iterateSyntheticDistrict(OPTIONS)])).toBe(again);
  });

  it('gives a different district for a different seed', () => {
    const other = generateSyntheticDistrict({ ...OPTIONS, students: 50, seed: 8 });
    const mine = generateSyntheticDistrict({ ...OPTIONS, students: 50 });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(mine));
  });

  it('generates exactly the requested number of students, with unique ids', () => {
    const ids = docs('students').map((s) => s.studentUniqueId);
    expect(ids).toHaveLength(OPTIONS.students);
    expect(new Set(ids).size).toBe(OPTIONS.students);
    expect(generateSyntheticDistrict({ ...OPTIONS, students: 0 }).filter((r) => r.resource === 'students')).toHaveLength(0);
  });

  it('covers every resource the records packet needs', () => {
    const resources = new Set(records.map((r) => `${r.project}/${r.resource}`));
    for (const resource of [
      'localEducationAgencies', 'schools', 'students', 'studentSchoolAssociations', 'studentEducationOrganizationAssociations',
      'contacts', 'studentContactAssociations', 'courses', 'sessions', 'sections', 'studentSectionAssociations',
      'studentAcademicRecords', 'courseTranscripts', 'assessments', 'studentAssessments', 'studentHealths',
      'studentSchoolAttendanceEvents', 'disciplineIncidents', 'studentDisciplineIncidentBehaviorAssociations', 'grades',
      'gradingPeriods', 'reportCards', 'programs', 'studentSpecialEducationProgramAssociations', 'calendars',
      'classPeriods', 'locations', 'courseOfferings', 'schoolYearTypes',
    ]) {
      expect(resources, resource).toContain(`ed-fi/${resource}`);
    }
    expect(resources).toContain('rex/studentHealthConditions');
  });

  it('never emits an id', () => {
    expect(records.some((r) => 'id' in r.document)).toBe(false);
  });

  it('refuses options it cannot honour', () => {
    expect(() => generateSyntheticDistrict({ ...OPTIONS, students: -1 })).toThrow(RangeError);
    expect(() => generateSyntheticDistrict({ ...OPTIONS, students: 1.5 })).toThrow(RangeError);
    expect(() => generateSyntheticDistrict({ ...OPTIONS, district: { ...OPTIONS.district, state: 'Arizona' } })).toThrow(/two-letter/);
  });
});

describe.skipIf(specMissing)('generateSyntheticDistrict: valid against the Ed-Fi DS 5.0 / 6.0 resource specs', () => {
  let ds5: Schema;
  let ds6: Schema;
  let validators: Map<string, ValidateFunction>;

  beforeAll(() => {
    ds5 = loadSpec(DS5_SPEC);
    ds6 = loadSpec(DS6_SPEC);
    validators = new Map();
  }, 60_000);

  const specFor = (resource: string): Schema => (resource in ds5.resourceSchemas ? ds5 : ds6);

  it('has a resource in the spec for every Ed-Fi record (studentHealths from 6.0)', () => {
    const unknown = new Set(records.filter((r) => r.project === 'ed-fi' && !(r.resource in specFor(r.resource).resourceSchemas)).map((r) => r.resource));
    expect([...unknown]).toEqual([]);
    expect(ds5.resourceSchemas.studentHealths).toBeUndefined();
    expect(ds6.resourceSchemas.studentHealths).toBe('edFi_studentHealth');
  });

  it('sets every required property of every resource (recursively) with the right types, lengths and formats', () => {
    const failures: string[] = [];
    for (const record of records) {
      if (record.project !== 'ed-fi') continue;
      const spec = specFor(record.resource);
      const name = spec.resourceSchemas[record.resource] as string;
      let validate = validators.get(`${spec.version}:${name}`);
      if (!validate) {
        validate = spec.ajv.getSchema(`${spec.version}#/components/schemas/${name}`) as ValidateFunction;
        validators.set(`${spec.version}:${name}`, validate);
      }
      if (!validate(record.document) && failures.length < 10) {
        failures.push(`${record.resource}: ${spec.ajv.errorsText(validate.errors)} in ${JSON.stringify(record.document).slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('lists required properties the way the spec does (explicit check of each resource)', () => {
    const missing: string[] = [];
    for (const resource of new Set(records.filter((r) => r.project === 'ed-fi').map((r) => r.resource))) {
      const spec = specFor(resource);
      const schema = spec.schemas[spec.resourceSchemas[resource]] as Schema;
      for (const document of docs(resource)) {
        for (const property of schema.required ?? []) {
          if (!(property in document)) missing.push(`${resource}.${property}`);
        }
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });

  it('orders records so that every reference points to an earlier document with exactly matching identity values', () => {
    const index = new ReferenceIndex(records, (resource) => specFor(resource));
    const problems: string[] = [];
    const targets = new Map<string, number>();
    records.forEach((record, position) => {
      if (record.project !== 'ed-fi') return;
      const spec = specFor(record.resource);
      for (const reference of referencesIn(spec, spec.resourceSchemas[record.resource], record.document)) {
        targets.set(reference.targetSchema, (targets.get(reference.targetSchema) ?? 0) + 1);
        const found = index.find(reference.targetSchema, reference.value);
        if (found === undefined || found >= position) {
          problems.push(`${record.resource} #${position} ${reference.property} ${JSON.stringify(reference.value)} → ${found ?? 'missing'}`);
        }
      }
    });
    expect(problems.slice(0, 10)).toEqual([]);
    // The check is not vacuous: every kind of reference the data uses was looked up…
    for (const target of [
      'edFi_student', 'edFi_school', 'edFi_educationOrganization', 'edFi_schoolYearType', 'edFi_contact', 'edFi_section',
      'edFi_courseOffering', 'edFi_session', 'edFi_gradingPeriod', 'edFi_studentSectionAssociation', 'edFi_grade',
      'edFi_studentAcademicRecord', 'edFi_course', 'edFi_assessment', 'edFi_disciplineIncident', 'edFi_program',
      'edFi_calendar', 'edFi_classPeriod', 'edFi_location', 'edFi_localEducationAgency',
    ]) {
      expect(targets.get(target) ?? 0, target).toBeGreaterThan(0);
    }
    // …and a reference with one identity value changed does not resolve.
    const grade = docs('grades')[0] as Doc;
    const changed = { ...grade.studentSectionAssociationReference, beginDate: '1999-01-01' };
    expect(index.find('edFi_studentSectionAssociation', grade.studentSectionAssociationReference)).toBeDefined();
    expect(index.find('edFi_studentSectionAssociation', changed)).toBeUndefined();
  });

  it('rejects what the spec rejects (the schema check is not vacuous)', () => {
    const validate = ds5.ajv.getSchema(`${ds5.version}#/components/schemas/edFi_student`) as ValidateFunction;
    expect(validate(docs('students')[0])).toBe(true);
    expect(validate({ studentUniqueId: '1', firstName: 'A', lastSurname: 'B' })).toBe(false);
    expect(validate({ ...docs('students')[0], birthDate: '2020-02-30' })).toBe(false);
    expect(validate({ ...docs('students')[0], firstName: 'x'.repeat(76) })).toBe(false);
  });

  it('resolves the references of the rex studentHealthConditions extension', () => {
    const position = new Map<string, number>();
    records.forEach((r, i) => {
      if (r.resource === 'students') position.set(`s:${r.document.studentUniqueId}`, i);
      if (r.resource === 'localEducationAgencies') position.set(`e:${r.document.localEducationAgencyId}`, i);
    });
    records.forEach((r, i) => {
      if (r.resource !== 'studentHealthConditions') return;
      const document = r.document as unknown as StudentHealthConditionsDocument;
      expect(position.get(`s:${document.studentReference.studentUniqueId}`)).toBeLessThan(i);
      expect(position.get(`e:${document.educationOrganizationReference.educationOrganizationId}`)).toBeLessThan(i);
    });
  });
});

describe.skipIf(catalogMissing)('generateSyntheticDistrict: descriptors', () => {
  it('uses only descriptor URIs that exist in the DS 5.2 descriptor catalog', () => {
    const catalog = loadDescriptorCatalog(DESCRIPTOR_CATALOG);
    const unknown = syntheticDescriptorUris().filter((uri) => !catalog.has(uri));
    expect(unknown).toEqual([]);
    expect(usedDescriptorUris(records).filter((uri) => !catalog.has(uri))).toEqual([]);
  });

  it('declares every descriptor it uses, so a store can seed them before loading', () => {
    const declared = new Set(syntheticDescriptorUris());
    const used = usedDescriptorUris(records);
    expect(used.length).toBeGreaterThan(100);
    expect(used.filter((uri) => !declared.has(uri))).toEqual([]);
    expect(used.every((uri) => /^uri:\/\/ed-fi\.org\/\w+Descriptor#.+$/.test(uri))).toBe(true);
  });
});

describe('generateSyntheticDistrict: realistic people', () => {
  const studentsById = (): Map<string, Doc> => new Map(docs('students').map((s) => [s.studentUniqueId, s]));
  const contactsOf = (): Map<string, string[]> => {
    const map = new Map<string, string[]>();
    for (const a of docs('studentContactAssociations')) {
      map.set(a.studentReference.studentUniqueId, [...(map.get(a.studentReference.studentUniqueId) ?? []), a.contactReference.contactUniqueId]);
    }
    return map;
  };

  it('has twins: same birth date, last name and contacts, different first names', () => {
    const contacts = contactsOf();
    const twins = docs('students').filter((s) => s.multipleBirthStatus === true);
    expect(twins.length).toBeGreaterThanOrEqual(2);
    const pairs = twins.filter((a) =>
      twins.some(
        (b) =>
          a !== b &&
          a.birthDate === b.birthDate &&
          a.lastSurname === b.lastSurname &&
          a.firstName !== b.firstName &&
          JSON.stringify(contacts.get(a.studentUniqueId)) === JSON.stringify(contacts.get(b.studentUniqueId)),
      ),
    );
    expect(pairs.length).toBe(twins.length);
  });

  it('has siblings sharing contacts and home address', () => {
    const contacts = contactsOf();
    const home = new Map(docs('studentEducationOrganizationAssociations').map((a) => [a.studentReference.studentUniqueId, JSON.stringify(a.addresses[0])]));
    const byContacts = new Map<string, string[]>();
    for (const [student, ids] of contacts) byContacts.set(ids.join(','), [...(byContacts.get(ids.join(',')) ?? []), student]);
    const families = [...byContacts.values()].filter((members) => members.length >= 2);
    expect(families.length).toBeGreaterThan(20);
    for (const members of families) expect(new Set(members.map((m) => home.get(m))).size).toBe(1);
  });

  it('has hyphenated, accented, apostrophe and multi-word names, and middle names full, initial-only or absent', () => {
    const people = [...docs('students'), ...docs('contacts')];
    const names = people.flatMap((p) => [p.firstName, p.lastSurname, p.middleName].filter(Boolean) as string[]);
    expect(names.some((n) => /^[A-Za-zÀ-ÿ']+-[A-Za-zÀ-ÿ']+$/.test(n))).toBe(true);
    expect(docs('students').some((s) => s.lastSurname.includes('-'))).toBe(true);
    expect(names.some((n) => /[À-ÿ]/.test(n))).toBe(true);
    expect(names.some((n) => n.includes("'"))).toBe(true);
    expect(names.some((n) => / /.test(n))).toBe(true);
    const students = docs('students');
    expect(students.some((s) => s.middleName === undefined)).toBe(true);
    expect(students.some((s) => /^\p{Lu}\.?$/u.test(s.middleName ?? ''))).toBe(true);
    expect(students.some((s) => (s.middleName ?? '').length > 2)).toBe(true);
  });

  it('has common and rare names', () => {
    const counts = new Map<string, number>();
    for (const s of docs('students')) counts.set(s.lastSurname, (counts.get(s.lastSurname) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeGreaterThanOrEqual(5);
    expect(Math.max(...counts.values())).toBeLessThan(OPTIONS.students * 0.05);
    expect(counts.size).toBeGreaterThan(OPTIONS.students * 0.3);
    expect([...counts.values()].filter((c) => c === 1).length).toBeGreaterThan(30);
  });

  it('mixes sexes, with student sex on the district association', () => {
    const sexes = docs('studentEducationOrganizationAssociations').map((a) => a.sexDescriptor);
    const female = sexes.filter((s) => s.endsWith('#Female')).length;
    expect(female / sexes.length).toBeGreaterThan(0.35);
    expect(female / sexes.length).toBeLessThan(0.65);
    expect(sexes.some((s) => s.endsWith('#Male'))).toBe(true);
  });

  it('records an SSN-like identification code for some students, never a real SSN range', () => {
    const ssns = docs('studentEducationOrganizationAssociations')
      .flatMap((a) => a.studentIdentificationCodes as Doc[])
      .filter((c) => c.studentIdentificationSystemDescriptor.endsWith('#SSN'));
    expect(ssns.length).toBeGreaterThan(OPTIONS.students * 0.25);
    expect(ssns.length).toBeLessThan(OPTIONS.students * 0.7);
    for (const code of ssns) {
      expect(code.assigningOrganizationIdentificationCode).toBe(SSN_ASSIGNING_ORGANIZATION);
      expect(code.identificationCode).toMatch(/^9\d{2}-(0[1-9]|[1-4]\d)-\d{4}$/);
    }
  });

  it('gives birth dates that fit the grade level', () => {
    const grades = ['Kindergarten', 'First grade', 'Second grade', 'Third grade', 'Fourth grade', 'Fifth grade', 'Sixth grade', 'Seventh grade', 'Eighth grade', 'Ninth grade', 'Tenth grade', 'Eleventh grade', 'Twelfth grade'];
    const current = currentEnrollments();
    for (const student of docs('students')) {
      const enrollment = current.get(student.studentUniqueId);
      if (!enrollment) continue;
      const grade = grades.indexOf(enrollment.entryGradeLevelDescriptor.split('#')[1]);
      expect(grade).toBeGreaterThanOrEqual(0);
      expect(student.birthDate >= `${2019 - grade - 1}-09-02`, `${student.birthDate} grade ${grade}`).toBe(true);
      expect(student.birthDate <= `${2020 - grade}-09-01`, `${student.birthDate} grade ${grade}`).toBe(true);
    }
  });
});

describe('generateSyntheticDistrict: enrollment history and movers', () => {
  it('has students who moved between two schools this year, with exit/withdraw on the first', () => {
    const bySchool = new Map<string, Doc[]>();
    for (const a of docs('studentSchoolAssociations')) {
      if (a.schoolYearTypeReference.schoolYear !== CURRENT_SCHOOL_YEAR) continue;
      bySchool.set(a.studentReference.studentUniqueId, [...(bySchool.get(a.studentReference.studentUniqueId) ?? []), a]);
    }
    const movers = [...bySchool.values()].filter((list) => new Set(list.map((a) => a.schoolReference.schoolId)).size === 2);
    expect(movers.length).toBeGreaterThan(0);
    for (const [first, second] of movers) {
      expect(first?.exitWithdrawTypeDescriptor).toMatch(/#Transferred$/);
      expect(first?.exitWithdrawDate < second?.entryDate).toBe(true);
      expect(second?.entryTypeDescriptor).toMatch(/#Transfer$/);
    }
  });

  it('keeps year-by-year enrollment history across schools, and some students have left the district', () => {
    const history = new Map<string, Doc[]>();
    for (const a of docs('studentSchoolAssociations')) history.set(a.studentReference.studentUniqueId, [...(history.get(a.studentReference.studentUniqueId) ?? []), a]);
    const acrossSchools = [...history.values()].filter((list) => new Set(list.map((a) => a.schoolReference.schoolId)).size >= 2);
    expect(acrossSchools.length).toBeGreaterThan(OPTIONS.students * 0.3);
    for (const list of history.values()) {
      const dates = list.map((a) => a.entryDate);
      expect([...dates].sort()).toEqual(dates);
    }
    const left = [...history.values()].filter((list) => list.at(-1)?.exitWithdrawDate !== undefined);
    expect(left.length).toBeGreaterThan(0);
  });

  it('keeps a prior home address, closed by an end date, for some students who moved', () => {
    const prior = docs('studentEducationOrganizationAssociations').filter((a) => (a.addresses as Doc[]).some((address) => address.periods?.[0]?.endDate));
    expect(prior.length).toBeGreaterThan(0);
  });

  it('lives mostly in 2–4 main cities and zips, with a long tail each holding 1% or less of students', () => {
    // Families, not students, choose homes: a district of a few thousand keeps one large family from tipping a tail city over 1%.
    const students = 3000;
    const cities = new Map<string, number>();
    const zips = new Map<string, number>();
    for (const record of iterateSyntheticDistrict({ ...OPTIONS, students })) {
      if (record.resource !== 'studentEducationOrganizationAssociations') continue;
      const home = (record.document.addresses as Doc[]).find((address) => !address.periods?.[0]?.endDate);
      cities.set(home?.city, (cities.get(home?.city) ?? 0) + 1);
      zips.set(home?.postalCode, (zips.get(home?.postalCode) ?? 0) + 1);
    }
    const share = (count: number) => count / students;
    const mainCities = [...cities.values()].filter((c) => share(c) > 0.01);
    expect(mainCities.length).toBeGreaterThanOrEqual(2);
    expect(mainCities.length).toBeLessThanOrEqual(4);
    expect(mainCities.reduce((a, b) => a + b, 0) / students).toBeGreaterThan(0.85);
    expect([...cities.values()].filter((c) => share(c) <= 0.01).length).toBeGreaterThanOrEqual(3);
    expect([...zips.values()].filter((c) => share(c) > 0.01).length).toBeGreaterThanOrEqual(3);
    expect([...zips.values()].filter((c) => share(c) <= 0.01).length).toBeGreaterThanOrEqual(3);
    expect([...zips.keys()].every((zip) => /^8[56]\d{3}$/.test(zip))).toBe(true);
  });

  it('falls back to plausible towns and zips for states without a table', () => {
    const vermont = generateSyntheticDistrict({ students: 30, district: { ncesId: '5000001', name: 'Green Hills SD', state: 'VT' } });
    const homes = vermont.filter((r) => r.resource === 'studentEducationOrganizationAssociations').map((r) => (r.document.addresses as Doc[])[0]);
    expect(homes.every((home) => /^05\d{3}$/.test(home?.postalCode) && home?.stateAbbreviationDescriptor.endsWith('#VT'))).toBe(true);
  });
});

describe('generateSyntheticDistrict: records per student', () => {
  it('gives special education to roughly 13% of students', () => {
    const share = docs('studentSpecialEducationProgramAssociations').length / OPTIONS.students;
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.19);
  });

  it('matches the rex studentHealthConditions JSON Schema', () => {
    const ajv = new Ajv({ allErrors: true });
    ajv.addFormat('date', { type: 'string', validate: isCalendarDate });
    const validate = ajv.compile(STUDENT_HEALTH_CONDITIONS_SCHEMA);
    for (const document of docs('studentHealthConditions')) expect(validate(document), ajv.errorsText(validate.errors)).toBe(true);
    expect(validate({ ...docs('studentHealthConditions')[0], extra: 1 })).toBe(false);
  });

  it('gives every student immunizations and a health conditions/screenings record', () => {
    expect(docs('studentHealths')).toHaveLength(OPTIONS.students);
    const health = docs('studentHealthConditions') as unknown as StudentHealthConditionsDocument[];
    expect(health).toHaveLength(OPTIONS.students);
    expect(health.some((h) => h.conditions.length > 0)).toBe(true);
    expect(health.some((h) => h.screenings.some((s) => s.result === 'Refer' && s.followUpRequired))).toBe(true);
    expect(docs('studentHealths').every((h) => (h.requiredImmunizations as Doc[]).every((i) => i.dates.length > 0))).toBe(true);
  });

  it('gives discipline incidents to some students, and attendance exceptions to most', () => {
    expect(docs('studentDisciplineIncidentBehaviorAssociations').length).toBeGreaterThan(5);
    const absent = new Set(docs('studentSchoolAttendanceEvents').map((e) => e.studentReference.studentUniqueId));
    expect(absent.size / OPTIONS.students).toBeGreaterThan(0.6);
  });

  it('keeps report cards consistent with the grades they list', () => {
    const grades = new Set(docs('grades').map((g) => gradeKey(g)));
    for (const card of docs('reportCards')) {
      for (const { gradeReference } of card.grades as Doc[]) {
        expect(grades.has(JSON.stringify(Object.entries(gradeReference).sort()))).toBe(true);
      }
    }
  });

  it('streams 2,000 students without holding them', () => {
    let students = 0;
    for (const record of iterateSyntheticDistrict({ ...OPTIONS, students: 2000 })) if (record.resource === 'students') students++;
    expect(students).toBe(2000);
  });
});

describe.skipIf(!existsSync(GENERATED_SCHEMAS))('generateSyntheticDistrict: generated JSON Schemas in schemas/edfi', () => {
  it('validates every document whose resource has a generated schema', () => {
    const schemas = loadGeneratedSchemas(GENERATED_SCHEMAS);
    const failures: string[] = [];
    let checked = 0;
    for (const record of records) {
      const validate = schemas.get(record.resource.toLowerCase());
      if (!validate) continue;
      checked++;
      if (!validate(record.document) && failures.length < 10) failures.push(`${record.resource}: ${JSON.stringify(validate.errors)}`);
    }
    if (checked === 0) console.warn(`no schema in ${GENERATED_SCHEMAS} matched a resource name; nothing validated`);
    expect(failures).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Helpers: the spec, references, descriptor catalog.

function currentEnrollments(): Map<string, Doc> {
  const current = new Map<string, Doc>();
  for (const a of docs('studentSchoolAssociations')) {
    if (a.schoolYearTypeReference.schoolYear === CURRENT_SCHOOL_YEAR) current.set(a.studentReference.studentUniqueId, a);
  }
  return current;
}

function gradeKey(grade: Doc): string {
  const ssa = grade.studentSectionAssociationReference;
  const gp = grade.gradingPeriodReference;
  return JSON.stringify(
    Object.entries({
      beginDate: ssa.beginDate,
      gradeTypeDescriptor: grade.gradeTypeDescriptor,
      gradingPeriodDescriptor: gp.gradingPeriodDescriptor,
      gradingPeriodName: gp.gradingPeriodName,
      gradingPeriodSchoolYear: gp.schoolYear,
      localCourseCode: ssa.localCourseCode,
      schoolId: ssa.schoolId,
      schoolYear: ssa.schoolYear,
      sectionIdentifier: ssa.sectionIdentifier,
      sessionName: ssa.sessionName,
      studentUniqueId: ssa.studentUniqueId,
    }).sort(),
  );
}

/** The OpenAPI spec: its component schemas, resource → schema name, and an ajv able to validate them. */
function loadSpec(file: string): Schema {
  const document = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: -1 }) as Schema;
  const version = String(document.info.version);
  const schemas = document.components.schemas as Record<string, Schema>;
  const resourceSchemas: Record<string, string> = {};
  for (const [path, operations] of Object.entries(document.paths as Record<string, Schema>)) {
    const match = /^\/ed-fi\/(\w+)$/.exec(path);
    const ref = operations.post?.requestBody?.content?.['application/json']?.schema?.$ref as string | undefined;
    if (match?.[1] && ref) resourceSchemas[match[1]] = ref.split('/').pop() as string;
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date', { type: 'string', validate: isCalendarDate });
  ajv.addFormat('date-time', { type: 'string', validate: (v: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && isCalendarDate(v.slice(0, 10)) });
  for (const format of ['int32', 'int64']) ajv.addFormat(format, { type: 'number', validate: Number.isInteger });
  for (const format of ['double', 'float']) ajv.addFormat(format, { type: 'number', validate: Number.isFinite });
  ajv.addSchema({ $id: version, components: { schemas } });
  return { version, schemas, resourceSchemas, ajv };
}

function isCalendarDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}

interface FoundReference {
  property: string;
  targetSchema: string;
  value: Record<string, unknown>;
}

function refName(schema: Schema | undefined): string | undefined {
  const ref = (schema?.$ref ?? schema?.items?.$ref) as string | undefined;
  return ref?.split('/').pop();
}

/** Every `…Reference` object in a document, found by walking it along its schema. */
function referencesIn(spec: Schema, schemaName: string, document: Doc): FoundReference[] {
  const found: FoundReference[] = [];
  const walk = (name: string, value: Doc): void => {
    const schema = spec.schemas[name] as Schema | undefined;
    for (const [property, propertySchema] of Object.entries((schema?.properties ?? {}) as Record<string, Schema>)) {
      const child = value[property];
      const target = refName(propertySchema);
      if (child === undefined || target === undefined) continue;
      if (target.endsWith('Reference') && property.endsWith('Reference')) {
        found.push({ property, targetSchema: target.replace(/Reference$/, ''), value: child as Record<string, unknown> });
      } else {
        for (const item of Array.isArray(child) ? child : [child]) walk(target, item as Doc);
      }
    }
  };
  walk(schemaName, document);
  return found;
}

interface Leaf {
  name: string;
  container: string;
  value: unknown;
}

/**
 * Looks documents up by the values of a reference. A reference's keys are the
 * target's identity: its own identity properties by name, the identity of its
 * required references by name, or role-named (gradingPeriodSchoolYear is
 * gradingPeriodReference.schoolYear). educationOrganizationId matches a
 * school's schoolId or a local education agency's localEducationAgencyId.
 */
class ReferenceIndex {
  private readonly indexes = new Map<string, Map<string, number>>();
  private readonly resourceOfSchema = new Map<string, string[]>();

  constructor(
    private readonly all: SyntheticRecord[],
    private readonly specFor: (resource: string) => Schema,
  ) {
    for (const record of all) {
      const schema = specFor(record.resource).resourceSchemas[record.resource] as string | undefined;
      if (schema === undefined) continue;
      const list = this.resourceOfSchema.get(schema) ?? [];
      if (!list.includes(record.resource)) list.push(record.resource);
      this.resourceOfSchema.set(schema, list);
    }
    this.resourceOfSchema.set('edFi_educationOrganization', ['localEducationAgencies', 'schools']);
  }

  find(targetSchema: string, reference: Record<string, unknown>): number | undefined {
    const keys = Object.keys(reference).sort();
    const wanted = JSON.stringify(keys.map((key) => reference[key]));
    let best: number | undefined;
    for (const resource of this.resourceOfSchema.get(targetSchema) ?? []) {
      const position = this.index(resource, keys).get(wanted);
      if (position !== undefined && (best === undefined || position < best)) best = position;
    }
    return best;
  }

  private index(resource: string, keys: string[]): Map<string, number> {
    const id = `${resource}|${keys.join(',')}`;
    let index = this.indexes.get(id);
    if (index) return index;
    index = new Map();
    const spec = this.specFor(resource);
    const schemaName = spec.resourceSchemas[resource] as string;
    this.all.forEach((record, position) => {
      if (record.resource !== resource) return;
      const leaves = identityLeaves(spec, schemaName, record.document as Doc);
      const values = keys.map((key) => valueForKey(leaves, key));
      if (values.some((v) => v === undefined)) return;
      const key = JSON.stringify(values);
      if (!index?.has(key)) index?.set(key, position);
    });
    this.indexes.set(id, index);
    return index;
  }
}

function identityLeaves(spec: Schema, schemaName: string, document: Doc): Leaf[] {
  const schema = spec.schemas[schemaName] as Schema;
  const required = new Set<string>(schema.required ?? []);
  const leaves: Leaf[] = [];
  for (const [property, propertySchema] of Object.entries(schema.properties as Record<string, Schema>)) {
    const target = refName(propertySchema);
    if (target?.endsWith('Reference') && required.has(property) && document[property]) {
      for (const [name, value] of Object.entries(document[property] as Doc)) leaves.push({ name, container: property.replace(/Reference$/, ''), value });
    } else if (propertySchema['x-Ed-Fi-isIdentity'] && document[property] !== undefined) {
      leaves.push({ name: property, container: '', value: document[property] });
    }
  }
  return leaves;
}

function valueForKey(leaves: Leaf[], key: string): unknown {
  const capitalized = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
  const topLevel = leaves.find((leaf) => leaf.container === '' && leaf.name === key);
  if (topLevel) return topLevel.value;
  const roleNamed = leaves.find((leaf) => leaf.container !== '' && `${leaf.container}${capitalized(leaf.name)}` === key);
  if (roleNamed) return roleNamed.value;
  const nested = leaves.filter((leaf) => leaf.name === key);
  if (nested.length > 0) return new Set(nested.map((leaf) => JSON.stringify(leaf.value))).size === 1 ? nested[0]?.value : undefined;
  if (key === 'educationOrganizationId') {
    return leaves.find((leaf) => leaf.container === '' && (leaf.name === 'schoolId' || leaf.name === 'localEducationAgencyId'))?.value;
  }
  return undefined;
}

/** Every descriptor URI of the catalog: `Namespace#CodeValue` of each entry of each file. */
function loadDescriptorCatalog(directory: string): Set<string> {
  const parser = new XMLParser({ parseTagValue: false, isArray: (_name, path) => String(path).split('.').length === 2 });
  const uris = new Set<string>();
  for (const file of readdirSync(directory).filter((f) => f.endsWith('.xml'))) {
    const root = parser.parse(readFileSync(join(directory, file), 'utf8')).InterchangeDescriptors as Record<string, Doc[]>;
    for (const entries of Object.values(root ?? {})) {
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) if (entry.Namespace && entry.CodeValue !== undefined) uris.add(`${entry.Namespace}#${entry.CodeValue}`);
    }
  }
  return uris;
}

/** Generated JSON Schemas by lower-case resource name (file names like students.json or students.schema.json). */
function loadGeneratedSchemas(directory: string): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  for (const file of readdirSync(directory, { recursive: true }) as string[]) {
    if (!file.endsWith('.json')) continue;
    const resource = file.split('/').pop()?.replace(/(\.schema)?\.json$/, '').toLowerCase() ?? '';
    try {
      validators.set(resource, ajv.compile(JSON.parse(readFileSync(join(directory, file), 'utf8')) as Schema));
    } catch (error) {
      console.warn(`could not compile ${file}: ${(error as Error).message}`);
    }
  }
  return validators;
}
