/**
 * The deterministic synthetic district: every Ed-Fi document a district node
 * needs for a realistic demo or benchmark, generated from a seed.
 *
 * Records come in dependency order (every document a record references comes
 * earlier), first the district's own documents (school years, the local
 * education agency, schools, calendars, sessions, courses, sections,
 * programs, assessments), then family by family: contacts, and per student
 * the census and enrollment history, contact associations, schedule,
 * transcripts, assessment results, immunizations, health conditions and
 * screenings, attendance, discipline, grades and report cards, and special
 * education.
 *
 * The same options always give byte-identical output: all randomness comes
 * from seeded streams (see random.ts) and all dates from a fixed school year
 * (see school-calendar.ts). Generation streams: families are planned twice
 * (once to size the sections, once to write) rather than held in memory.
 */
import { attendanceEventsOf, attendanceRecords } from './attendance-records.js';
import { assessmentRecords, studentAssessmentRecords } from './assessment-records.js';
import { isStateAbbreviation } from './descriptors.js';
import { disciplineRecords } from './discipline-records.js';
import { planDistrict, type DistrictPlan } from './district-plan.js';
import { contactRecords, studentContactRecords, studentEnrollmentRecords } from './enrollment-records.js';
import { planFamilies, type FamilyPlan, type StudentPlan } from './family-plan.js';
import { studentHealthConditionsRecord, studentHealthRecord } from './health-records.js';
import { organizationRecords } from './organization-records.js';
import { gradeRecords, placeSchedule, sectionAssociationRecords } from './schedule-records.js';
import { scheduleOf, SectionRoster } from './section-roster.js';
import { programRecords, specialEducationPlanOf, specialEducationRecords } from './special-education-records.js';
import type { SyntheticRecord } from './synthetic-record.js';
import { transcriptRecords } from './transcript-records.js';

export type { SyntheticRecord } from './synthetic-record.js';
export type {
  HealthConditionEntry,
  HealthConditionType,
  HealthScreeningEntry,
  HealthScreeningType,
  StudentHealthConditionsDocument,
} from './health-records.js';
export { syntheticDescriptorUris } from './descriptors.js';
export { STUDENT_HEALTH_CONDITIONS_SCHEMA } from './health-records.js';
export { SSN_ASSIGNING_ORGANIZATION } from './enrollment-records.js';
export { AS_OF_DATE, CURRENT_SCHOOL_YEAR } from './school-calendar.js';

/** What to generate. */
export interface SyntheticDistrictOptions {
  /** How many students (the last family may be cut short to hit the number exactly). */
  students: number;
  /** Seed of all randomness; the default gives the same district every time. */
  seed?: number;
  /** The district's identity: NCES LEA id (7 digits), name and two-letter state. */
  district: { ncesId: string; name: string; state: string };
}

/** The seed used when none is given. */
export const DEFAULT_SEED = 20252026;

/** Generates the whole district as an array (uses {@link iterateSyntheticDistrict}). */
export function generateSyntheticDistrict(options: SyntheticDistrictOptions): SyntheticRecord[] {
  return [...iterateSyntheticDistrict(options)];
}

/**
 * Yields the district's records one by one in dependency order, holding only
 * one family at a time (plus section sizes), so 100,000 students stream in
 * bounded memory.
 */
export function* iterateSyntheticDistrict(options: SyntheticDistrictOptions): Generator<SyntheticRecord> {
  const district = planDistrict(normalizedOptions(options));
  const roster = sizeSections(district);
  yield* organizationRecords(district, roster);
  yield* programRecords(district);
  yield* assessmentRecords(district);
  for (const family of planFamilies(district)) yield* familyRecords(district, roster, family);
}

/**
 * The descriptor URIs the records use, sorted and without duplicates: every
 * string value of a property whose name ends in `Descriptor`.
 */
export function usedDescriptorUris(records: Iterable<SyntheticRecord>): string[] {
  const found = new Set<string>();
  for (const record of records) collectDescriptors(record.document, found);
  return [...found].sort();
}

function normalizedOptions(options: SyntheticDistrictOptions): DistrictPlan['options'] {
  if (!Number.isInteger(options.students) || options.students < 0) {
    throw new RangeError(`students must be a non-negative integer, got ${options.students}`);
  }
  if (!isStateAbbreviation(options.district.state)) {
    throw new RangeError(`district.state must be a two-letter US state code, got ${options.district.state}`);
  }
  return { students: options.students, seed: (options.seed ?? DEFAULT_SEED) >>> 0, district: { ...options.district } };
}

/** First pass: count every scheduled course so sections can be sized before they are written. */
function sizeSections(district: DistrictPlan): SectionRoster {
  const roster = new SectionRoster();
  for (const family of planFamilies(district)) {
    for (const student of family.students) {
      for (const scheduled of scheduleOf(district.options.seed, student)) roster.count(scheduled);
    }
  }
  return roster;
}

function* familyRecords(district: DistrictPlan, roster: SectionRoster, family: FamilyPlan): Generator<SyntheticRecord> {
  yield* contactRecords(district, family);
  for (const student of family.students) yield* studentRecords(district, roster, student);
}

function* studentRecords(district: DistrictPlan, roster: SectionRoster, student: StudentPlan): Generator<SyntheticRecord> {
  const specialEducation = specialEducationPlanOf(district, student);
  const placed = placeSchedule(district, roster, student);
  const attendance = attendanceEventsOf(district, student);
  yield* studentEnrollmentRecords(district, student, specialEducation?.disabilities ?? []);
  yield* studentContactRecords(student);
  yield* sectionAssociationRecords(district, student, placed);
  yield* transcriptRecords(district, student, placed.map(({ scheduled }) => scheduled));
  yield* studentAssessmentRecords(district, student);
  yield studentHealthRecord(district, student);
  yield studentHealthConditionsRecord(district, student);
  yield* attendanceRecords(district, student, attendance);
  yield* disciplineRecords(district, student);
  yield* gradeRecords(district, student, placed, attendance);
  yield* specialEducationRecords(district, student, specialEducation);
}

function collectDescriptors(value: unknown, found: Set<string>, key = ''): void {
  if (typeof value === 'string') {
    if (key.endsWith('Descriptor')) found.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectDescriptors(item, found, key);
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [name, child] of Object.entries(value)) collectDescriptors(child, found, name);
  }
}
