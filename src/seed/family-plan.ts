/**
 * Families of the synthetic district: parents and guardians, children with
 * their names, birth dates, grades and year-by-year enrollment history.
 *
 * Families are where the realism that records matching depends on comes
 * from: siblings share contacts and address, twins share a birth date, last
 * name and contacts, children of parents with different surnames sometimes
 * carry both (Garcia-Lopez), and some families arrive during the year, move
 * within the district (changing schools and address) or leave it.
 *
 * Each family draws from its own random stream (seed, family index), so a
 * family can be planned again identically: the generator plans every family
 * twice (once to size the sections, once to write records) instead of
 * keeping 100,000 students in memory.
 */
import { levelOfGrade, schoolAt, schoolsOfLevel, type DistrictPlan, type SchoolLevel } from './district-plan.js';
import { drawAddress, drawAdults, drawHomeLanguage, type Address, type Adults, type ContactPlan } from './family-contacts.js';
import { drawLocality } from './localities.js';
import { drawFirstName, drawMiddleName, type Heritage, type NameSex } from './names.js';
import { deriveRandom, drawFrom, type Random } from './random.js';
import { addDays, CURRENT_SCHOOL_YEAR, schoolYearBounds } from './school-calendar.js';

export type { Address, ContactPlan } from './family-contacts.js';

/** An address someone lived at for a while. */
export interface PastAddress {
  readonly address: Address;
  readonly beginDate: string;
  readonly endDate: string;
}

/** One school enrollment: a school year at one school (two when a student moved mid-year). */
export interface EnrollmentPlan {
  readonly schoolYear: number;
  readonly grade: number;
  readonly schoolIndex: number;
  readonly entryDate: string;
  readonly entryType: 'New to education system' | 'Next year school' | 'Transfer';
  readonly exitDate?: string;
  readonly exitType?: 'End of school year' | 'Transferred';
}

/** Student sex as recorded by the district (the matching "gender"). */
export type StudentSex = 'Female' | 'Male' | 'Non-binary';

/** One child of a family, enrolled (now or earlier this year) in the district. */
export interface StudentPlan {
  readonly index: number;
  readonly studentUniqueId: string;
  readonly firstName: string;
  readonly middleName?: string;
  readonly lastSurname: string;
  readonly generationCodeSuffix?: string;
  readonly sex: StudentSex;
  readonly birthSex: 'Female' | 'Male';
  readonly birthDate: string;
  /** Grade in the current school year, 0 = Kindergarten. */
  readonly grade: number;
  readonly twin: boolean;
  /** A made-up number in SSN form, for students whose district records one. */
  readonly ssn?: string;
  /** Chronological; the last one is the current (or most recent) enrollment. */
  readonly enrollments: readonly EnrollmentPlan[];
  /** Typical percentage grade; drives grades, transcripts and test scores. */
  readonly ability: number;
  readonly family: FamilyPlan;
}

/** A household whose children attend the district. */
export interface FamilyPlan {
  readonly index: number;
  readonly heritage: Heritage;
  readonly address: Address;
  readonly addressSince: string;
  readonly priorAddress?: PastAddress;
  readonly contacts: readonly ContactPlan[];
  readonly homeLanguage: string;
  readonly economicallyDisadvantaged: boolean;
  readonly bornAbroad: boolean;
  readonly students: StudentPlan[];
}

/** How a family's time in the district unfolds around the current year. */
interface FamilyEvents {
  /** First school year in the district, or undefined when the family has always lived here. */
  readonly arrivalYear?: number;
  readonly arrivalDate?: string;
  /** A move inside the district: from this date on, the family lives at its current address. */
  readonly move?: { readonly schoolYear: number; readonly exitDate: string; readonly entryDate: string };
  /** The date the family's children withdrew to enroll elsewhere. */
  readonly leaveDate?: string;
}

interface HomeSchools {
  readonly elementary: number;
  readonly middle: number;
  readonly high: number;
}

const CHILD_COUNT_WEIGHTS = [0.48, 0.34, 0.13, 0.05];
const SIBLING_GAPS = [1, 2, 3, 4, 5];
const SIBLING_GAP_WEIGHTS = [0.25, 0.35, 0.22, 0.12, 0.06];
const TWIN_SHARE = 0.06;
const GRADES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
/**
 * The first child's grade; siblings are then placed a few grades away, which
 * crowds the middle grades, so the edges start heavier to keep enrollment
 * roughly even across K–12.
 */
const FIRST_CHILD_GRADE_WEIGHTS = [1.6, 1.4, 1.15, 1, 0.95, 0.95, 1, 1, 1, 1, 1.05, 1.3, 1.3];
const SSN_SHARE = 0.45;

/**
 * Plans families in order until `students` children are planned (the last
 * family may be cut short). Plans are pure functions of (plan, family index).
 */
export function* planFamilies(district: DistrictPlan): Generator<FamilyPlan> {
  let nextStudent = 0;
  for (let familyIndex = 0; nextStudent < district.options.students; familyIndex++) {
    const family = planFamily(district, familyIndex, nextStudent, district.options.students - nextStudent);
    nextStudent += family.students.length;
    if (family.students.length > 0) yield family;
  }
}

function planFamily(district: DistrictPlan, familyIndex: number, firstStudent: number, room: number): FamilyPlan {
  const random = deriveRandom(district.options.seed, 'family', familyIndex);
  const heritage = drawFrom(random, district.heritages);
  const grades = drawChildGrades(random).slice(0, room);
  const events = drawFamilyEvents(random, grades);
  const locality = drawLocality(random, district.area);
  const address = drawAddress(random, locality);
  const priorAddress = events.move ? drawPriorAddress(random, district, events.move.exitDate) : undefined;
  const addressSince = events.move?.entryDate ?? events.arrivalDate ?? `${random.int(2008, 2019)}-0${random.int(6, 8)}-15`;
  const adults = drawAdults(random, district, familyIndex, heritage, address);
  const family: FamilyPlan = {
    index: familyIndex,
    heritage,
    address,
    addressSince,
    ...(priorAddress ? { priorAddress } : {}),
    contacts: adults.contacts,
    homeLanguage: drawHomeLanguage(random, heritage),
    economicallyDisadvantaged: random.chance(0.42),
    bornAbroad: events.arrivalYear !== undefined && heritage !== 'general' && random.chance(0.25),
    students: [],
  };
  const homes = homeSchools(random, district, locality.city);
  const priorHomes = events.move ? otherHomeSchools(district, homes) : homes;
  grades.forEach((childGrade, order) => {
    family.students.push(
      planStudent(random, district, family, adults, {
        index: firstStudent + order,
        grade: childGrade.grade,
        twinOf: childGrade.twinOf,
        events,
        homes,
        priorHomes,
      }),
    );
  });
  return family;
}

interface ChildGrade {
  readonly grade: number;
  /** Position of the twin sibling in the family's child list, for the second twin. */
  readonly twinOf?: number;
}

function drawChildGrades(random: Random): ChildGrade[] {
  const count = random.weighted([1, 2, 3, 4], CHILD_COUNT_WEIGHTS);
  const first = random.weighted(GRADES, FIRST_CHILD_GRADE_WEIGHTS);
  const children: ChildGrade[] = [{ grade: first }];
  if (count >= 2 && random.chance(TWIN_SHARE)) children.push({ grade: first, twinOf: 0 });
  let direction = random.chance(0.5) ? -1 : 1;
  let last = first;
  while (children.length < count) {
    const next = last + direction * random.weighted(SIBLING_GAPS, SIBLING_GAP_WEIGHTS);
    if (next < 0 || next > 12) {
      if (direction === 1) break;
      direction = 1;
      last = Math.max(...children.map((child) => child.grade));
      continue;
    }
    children.push({ grade: next });
    last = next;
  }
  return children;
}

function drawFamilyEvents(random: Random, children: readonly ChildGrade[]): FamilyEvents {
  const events: { -readonly [K in keyof FamilyEvents]: FamilyEvents[K] } = {};
  if (random.chance(0.3)) {
    const youngest = Math.min(...children.map((child) => child.grade));
    // A family cannot arrive before its youngest child starts Kindergarten and still bring all children.
    events.arrivalYear = random.int(Math.max(2014, CURRENT_SCHOOL_YEAR - youngest - 1), CURRENT_SCHOOL_YEAR);
    if (events.arrivalYear > CURRENT_SCHOOL_YEAR - 9 && random.chance(0.2)) events.arrivalYear = CURRENT_SCHOOL_YEAR;
    events.arrivalDate =
      events.arrivalYear === CURRENT_SCHOOL_YEAR
        ? random.weighted(['2025-08-13', '2025-10-20', '2026-01-06'], [0.6, 0.2, 0.2])
        : schoolYearBounds(events.arrivalYear).beginDate;
  }
  const arrivedThisYear = events.arrivalYear === CURRENT_SCHOOL_YEAR;
  const roll = random.next();
  if (!arrivedThisYear && roll < 0.045) events.move = midYearMove(random);
  else if (!arrivedThisYear && roll < 0.12) events.move = betweenYearsMove(random, events.arrivalYear);
  if (!arrivedThisYear && events.move?.schoolYear !== CURRENT_SCHOOL_YEAR && random.chance(0.035)) {
    events.leaveDate = random.pick(['2025-12-19', '2026-01-30', '2025-11-14']);
  }
  return events;
}

function midYearMove(random: Random): NonNullable<FamilyEvents['move']> {
  return random.chance(0.5)
    ? { schoolYear: CURRENT_SCHOOL_YEAR, exitDate: '2025-10-10', entryDate: '2025-10-20' }
    : { schoolYear: CURRENT_SCHOOL_YEAR, exitDate: '2025-12-19', entryDate: '2026-01-06' };
}

function betweenYearsMove(random: Random, arrivalYear: number | undefined): NonNullable<FamilyEvents['move']> {
  const schoolYear = random.int(Math.max((arrivalYear ?? 2018) + 1, 2019), CURRENT_SCHOOL_YEAR);
  const previousEnd = schoolYearBounds(schoolYear - 1).endDate;
  return { schoolYear, exitDate: previousEnd, entryDate: schoolYearBounds(schoolYear).beginDate };
}

function drawPriorAddress(random: Random, district: DistrictPlan, movedOn: string): PastAddress {
  return {
    address: drawAddress(random, drawLocality(random, district.area)),
    beginDate: `${random.int(2010, 2018)}-0${random.int(3, 9)}-01`,
    endDate: movedOn,
  };
}

function homeSchools(random: Random, district: DistrictPlan, city: string): HomeSchools {
  const elementarySchools = schoolsOfLevel(district, 'elementary');
  const local = elementarySchools.filter((school) => school.locality.city === city);
  const elementary = random.pick(local.length > 0 ? local : elementarySchools).index;
  return followFeeders(district, elementary);
}

function otherHomeSchools(district: DistrictPlan, homes: HomeSchools): HomeSchools {
  const elementarySchools = schoolsOfLevel(district, 'elementary');
  const position = elementarySchools.findIndex((school) => school.index === homes.elementary);
  const other = elementarySchools[(position + 1) % elementarySchools.length];
  return followFeeders(district, other?.index ?? homes.elementary);
}

function followFeeders(district: DistrictPlan, elementary: number): HomeSchools {
  const middle = schoolAt(district, elementary).feederTo ?? elementary;
  const high = schoolAt(district, middle).feederTo ?? middle;
  return { elementary, middle, high };
}

interface ChildSpec {
  readonly index: number;
  readonly grade: number;
  readonly twinOf?: number;
  readonly events: FamilyEvents;
  readonly homes: HomeSchools;
  readonly priorHomes: HomeSchools;
}

function planStudent(
  random: Random,
  district: DistrictPlan,
  family: FamilyPlan,
  adults: Adults,
  spec: ChildSpec,
): StudentPlan {
  const twinSibling = spec.twinOf === undefined ? undefined : family.students[spec.twinOf];
  const sex = drawStudentSex(random);
  const birthSex: 'Female' | 'Male' = sex === 'Non-binary' ? random.pick(['Female', 'Male'] as const) : sex;
  const nameSex: NameSex = birthSex === 'Female' ? 'female' : 'male';
  const heritage = adults.otherHeritage && random.chance(0.5) ? adults.otherHeritage : family.heritage;
  const namedAfterFather =
    birthSex === 'Male' &&
    adults.fatherFirstName !== undefined &&
    random.chance(0.03) &&
    !family.students.some((sibling) => sibling.firstName === adults.fatherFirstName);
  const firstName = namedAfterFather
    ? (adults.fatherFirstName ?? '')
    : distinctFirstName(random, heritage, nameSex, family.students);
  const middleName = drawMiddleName(random, heritage, nameSex, firstName);
  if (twinSibling) markTwin(twinSibling);
  return {
    index: spec.index,
    studentUniqueId: `${district.idPrefix}${String(spec.index + 1).padStart(6, '0')}`,
    firstName,
    ...(middleName ? { middleName } : {}),
    lastSurname: adults.childSurname,
    ...(namedAfterFather ? { generationCodeSuffix: random.chance(0.85) ? 'Jr.' : 'III' } : {}),
    sex,
    birthSex,
    birthDate: twinSibling?.birthDate ?? drawBirthDate(random, spec.grade),
    grade: spec.grade,
    twin: twinSibling !== undefined,
    ...(random.chance(SSN_SHARE) ? { ssn: drawSsnLike(random) } : {}),
    enrollments: planEnrollments(district, spec),
    ability: drawAbility(random),
    family,
  };
}

/** Twins are discovered when the second one is planned; the first is marked then. */
function markTwin(student: StudentPlan): void {
  (student as { twin: boolean }).twin = true;
}

function drawStudentSex(random: Random): StudentSex {
  const roll = random.next();
  if (roll < 0.004) return 'Non-binary';
  return roll < 0.49 ? 'Female' : 'Male';
}

function distinctFirstName(random: Random, heritage: Heritage, sex: NameSex, siblings: readonly StudentPlan[]): string {
  for (let attempt = 0; ; attempt++) {
    const name = drawFirstName(random, heritage, sex);
    if (attempt > 20 || !siblings.some((sibling) => sibling.firstName === name)) return name;
  }
}

/**
 * Birth dates that fit the grade: with the usual September 1 cut-off, a
 * Kindergartner in 2025-2026 was born between 2019-09-02 and 2020-09-01.
 * A few students are a year older than their grade (retained or started late).
 */
function drawBirthDate(random: Random, grade: number): string {
  const olderForGrade = random.chance(0.04) ? 1 : 0;
  const firstDay = `${2019 - grade - olderForGrade}-09-02`;
  return addDays(firstDay, random.int(0, 364));
}

/**
 * A number in SSN form that the SSA never issues: area numbers 900–999 are
 * not SSNs, and groups 01–49 are outside the ITIN ranges, so no real person's
 * number appears in synthetic data.
 */
function drawSsnLike(random: Random): string {
  const area = random.int(900, 999);
  const group = String(random.int(1, 49)).padStart(2, '0');
  const serial = String(random.int(1, 9999)).padStart(4, '0');
  return `${area}-${group}-${serial}`;
}

/** Percent-grade ability around 83, roughly bell-shaped (sum of three uniforms). */
function drawAbility(random: Random): number {
  const bell = (random.next() + random.next() + random.next()) / 3;
  return Math.round(62 + bell * 40);
}

function planEnrollments(district: DistrictPlan, spec: ChildSpec): EnrollmentPlan[] {
  const { events } = spec;
  const enrollments: EnrollmentPlan[] = [];
  const kindergartenYear = CURRENT_SCHOOL_YEAR - spec.grade;
  const firstYear = Math.max(kindergartenYear, events.arrivalYear ?? kindergartenYear);
  for (let schoolYear = firstYear; schoolYear <= CURRENT_SCHOOL_YEAR; schoolYear++) {
    const grade = spec.grade - (CURRENT_SCHOOL_YEAR - schoolYear);
    const level = levelOfGrade(grade);
    const movedBefore = events.move !== undefined && schoolYear >= events.move.schoolYear;
    const school = (movedBefore ? spec.homes : spec.priorHomes)[level];
    const bounds = schoolYearBounds(schoolYear);
    const first = enrollments.length === 0;
    const entryType = !first ? 'Next year school' : events.arrivalYear === undefined && grade === 0 ? 'New to education system' : 'Transfer';
    const entryDate = first && events.arrivalDate ? events.arrivalDate : bounds.beginDate;
    if (schoolYear === CURRENT_SCHOOL_YEAR && events.move?.schoolYear === CURRENT_SCHOOL_YEAR && events.move.exitDate >= entryDate) {
      enrollments.push(...midYearMoveEnrollments(spec, grade, level, entryDate, entryType));
      continue;
    }
    enrollments.push({
      schoolYear,
      grade,
      schoolIndex: school,
      entryDate,
      entryType,
      ...exitOf(schoolYear, bounds.endDate, events.leaveDate),
    });
  }
  return enrollments;
}

function midYearMoveEnrollments(
  spec: ChildSpec,
  grade: number,
  level: SchoolLevel,
  entryDate: string,
  entryType: EnrollmentPlan['entryType'],
): EnrollmentPlan[] {
  const move = spec.events.move;
  if (move === undefined) return [];
  if (spec.priorHomes[level] === spec.homes[level]) {
    // Only one school of this level: the family moved house but the student stayed.
    return [{ schoolYear: CURRENT_SCHOOL_YEAR, grade, schoolIndex: spec.homes[level], entryDate, entryType }];
  }
  const before: EnrollmentPlan = {
    schoolYear: CURRENT_SCHOOL_YEAR,
    grade,
    schoolIndex: spec.priorHomes[level],
    entryDate,
    entryType,
    exitDate: move.exitDate,
    exitType: 'Transferred',
  };
  const after: EnrollmentPlan = {
    schoolYear: CURRENT_SCHOOL_YEAR,
    grade,
    schoolIndex: spec.homes[level],
    entryDate: move.entryDate,
    entryType: 'Transfer',
  };
  return [before, after];
}

function exitOf(
  schoolYear: number,
  yearEnd: string,
  leaveDate: string | undefined,
): Pick<EnrollmentPlan, 'exitDate' | 'exitType'> {
  if (schoolYear < CURRENT_SCHOOL_YEAR) return { exitDate: yearEnd, exitType: 'End of school year' };
  return leaveDate ? { exitDate: leaveDate, exitType: 'Transferred' } : {};
}
