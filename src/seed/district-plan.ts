/**
 * The shape of the synthetic district before any record is written: its
 * identifiers, its area and its schools. Everything here follows from the
 * options alone, so both passes of the generator see the same district.
 */
import { districtArea, STREET_NAMES, type DistrictArea, type Locality } from './localities.js';
import type { Heritage } from './names.js';
import { deriveRandom, hashParts, weightedTable, type WeightedTable } from './random.js';

/** The options of {@link generateSyntheticDistrict}, with the seed filled in. */
export interface DistrictOptions {
  readonly students: number;
  readonly seed: number;
  readonly district: { readonly ncesId: string; readonly name: string; readonly state: string };
}

/** Elementary (K–5), middle (6–8) or high (9–12) school. */
export type SchoolLevel = 'elementary' | 'middle' | 'high';

/** One school of the district. */
export interface SchoolPlan {
  readonly index: number;
  readonly schoolId: number;
  readonly name: string;
  readonly level: SchoolLevel;
  readonly lowestGrade: number;
  readonly highestGrade: number;
  readonly locality: Locality;
  readonly street: string;
  /** For elementary and middle schools: the school its students move on to. */
  readonly feederTo?: number;
}

/** The district as a whole. */
export interface DistrictPlan {
  readonly options: DistrictOptions;
  readonly localEducationAgencyId: number;
  /** Three digits that start every student id of this district. */
  readonly idPrefix: string;
  readonly area: DistrictArea;
  readonly schools: readonly SchoolPlan[];
  readonly heritages: WeightedTable<Heritage>;
  /** An email domain for the district's staff and student accounts. */
  readonly emailDomain: string;
}

const GRADE_SPANS: Readonly<Record<SchoolLevel, readonly [number, number]>> = {
  elementary: [0, 5],
  middle: [6, 8],
  high: [9, 12],
};

/** Students per school of each level, the usual US sizes. */
const STUDENTS_PER_SCHOOL: Readonly<Record<SchoolLevel, number>> = { elementary: 450, middle: 700, high: 1500 };

/** At least two elementary and middle schools, so that students can move between schools. */
const MINIMUM_SCHOOLS: Readonly<Record<SchoolLevel, number>> = { elementary: 2, middle: 2, high: 1 };

const SCHOOL_NAMES = [
  'Lincoln', 'Washington', 'Jefferson', 'Roosevelt', 'Sunrise', 'Desert View', 'Lakeside', 'Riverside', 'Oak Grove',
  'Pine Ridge', 'Maple Hill', 'César Chávez', "Sandra Day O'Connor", 'Harriet Tubman', 'Sally Ride',
  'Frederick Douglass', 'Amelia Earhart', 'Martin Luther King Jr.', 'Cedar Park', 'Willow Creek', 'Eagle Crest',
  'Mountain View', 'Valley Vista', 'Prairie Wind', 'Heritage', 'Liberty', 'Independence', 'Horizon', 'Meadowbrook',
  'Sequoia', 'Ellen Ochoa', 'Dolores Huerta', 'Thurgood Marshall', 'Rosa Parks', 'Maya Angelou', 'Kennedy',
  'Madison', 'Franklin', 'Hamilton', 'Garfield', 'Whittier', 'Longfellow', 'Emerson', 'Hawthorne', 'Jackson',
];

/**
 * Share of families per name tradition by state (rough public enrollment
 * demographics), so that a Texas district looks different from a Minnesota one.
 */
const HERITAGE_MIX: Readonly<Record<string, readonly number[]>> = {
  //  general, hispanic, black, asian, african, native
  AZ: [38, 46, 5, 4, 1, 6],
  MN: [58, 10, 10, 9, 11, 2],
  TX: [28, 53, 12, 5, 1, 1],
  CA: [22, 55, 5, 16, 1, 1],
  NY: [45, 22, 22, 9, 2, 0.3],
  default: [50, 27, 14, 6, 2, 1],
};
const HERITAGES: readonly Heritage[] = ['general', 'hispanic', 'black', 'asian', 'african', 'native'];

/** Builds the district's identifiers, area and schools from the options. */
export function planDistrict(options: DistrictOptions): DistrictPlan {
  const localEducationAgencyId = localEducationAgencyIdOf(options.district.ncesId);
  const area = districtArea(options.district.state, options.district.ncesId, options.district.name);
  return {
    options,
    localEducationAgencyId,
    idPrefix: String(100 + (hashParts(options.district.ncesId, options.seed) % 900)),
    area,
    schools: planSchools(options, localEducationAgencyId, area),
    heritages: weightedTable(HERITAGES, HERITAGE_MIX[options.district.state] ?? HERITAGE_MIX.default ?? []),
    emailDomain: `${slug(options.district.name)}.k12.example.org`,
  };
}

/** The schools of one level, in index order. */
export function schoolsOfLevel(plan: DistrictPlan, level: SchoolLevel): SchoolPlan[] {
  return plan.schools.filter((school) => school.level === level);
}

/** The level of school that teaches a grade (0 = Kindergarten). */
export function levelOfGrade(grade: number): SchoolLevel {
  if (grade <= 5) return 'elementary';
  return grade <= 8 ? 'middle' : 'high';
}

/** A school by index (throws on a bug). */
export function schoolAt(plan: DistrictPlan, index: number): SchoolPlan {
  const school = plan.schools[index];
  if (school === undefined) throw new Error(`no school ${index}`);
  return school;
}

/**
 * NCES LEA ids are seven digits; we use them as the Ed-Fi
 * localEducationAgencyId as state systems do. Any other id is hashed into
 * the same range so that ids stay numeric.
 */
function localEducationAgencyIdOf(ncesId: string): number {
  if (/^\d{7}$/.test(ncesId) && Number(ncesId) > 0) return Number(ncesId);
  return 1_000_000 + (hashParts(ncesId) % 8_999_999);
}

function planSchools(options: DistrictOptions, localEducationAgencyId: number, area: DistrictArea): SchoolPlan[] {
  const random = deriveRandom(options.seed, 'schools');
  const counts = schoolCounts(options.students);
  const schools: SchoolPlan[] = [];
  const levels: SchoolLevel[] = ['high', 'middle', 'elementary'];
  for (const level of levels) {
    const nextLevelFirst = schools.filter((school) => school.level === nextLevel(level)).map((s) => s.index);
    for (let n = 0; n < counts[level]; n++) {
      const index = schools.length;
      const [lowestGrade, highestGrade] = GRADE_SPANS[level];
      const city = area.schoolCities[n % area.schoolCities.length] ?? area.schoolCities[0] ?? 'Springfield';
      const feederTo = nextLevelFirst.length > 0 ? nextLevelFirst[n % nextLevelFirst.length] : undefined;
      schools.push({
        index,
        // NCES school ids are the 7-digit LEA id followed by 5 digits.
        schoolId: localEducationAgencyId * 100_000 + index + 1,
        name: schoolName(level, n, city),
        level,
        lowestGrade,
        highestGrade,
        locality: { city, postalCode: zipOfCity(area, city) },
        street: `${random.int(100, 9899)} ${random.pick(STREET_NAMES)}`,
        ...(feederTo === undefined ? {} : { feederTo }),
      });
    }
  }
  return schools;
}

function schoolCounts(students: number): Record<SchoolLevel, number> {
  const share: Record<SchoolLevel, number> = { elementary: 6 / 13, middle: 3 / 13, high: 4 / 13 };
  const count = (level: SchoolLevel): number =>
    Math.max(MINIMUM_SCHOOLS[level], Math.ceil((students * share[level]) / STUDENTS_PER_SCHOOL[level]));
  return { elementary: count('elementary'), middle: count('middle'), high: count('high') };
}

function nextLevel(level: SchoolLevel): SchoolLevel | undefined {
  if (level === 'elementary') return 'middle';
  return level === 'middle' ? 'high' : undefined;
}

function schoolName(level: SchoolLevel, n: number, city: string): string {
  const offset = level === 'elementary' ? 0 : level === 'middle' ? 17 : 31;
  const base = SCHOOL_NAMES[(n + offset) % SCHOOL_NAMES.length] ?? 'Central';
  const round = Math.floor(n / SCHOOL_NAMES.length);
  const qualified = round === 0 ? base : `${base} ${city}${round > 1 ? ` ${round}` : ''}`;
  const suffix = level === 'elementary' ? 'Elementary School' : level === 'middle' ? 'Middle School' : 'High School';
  return `${qualified} ${suffix}`.slice(0, 75);
}

function zipOfCity(area: DistrictArea, city: string): string {
  return area.localities.items.find((locality) => locality.city === city)?.postalCode ?? '00000';
}

function slug(name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return ascii.slice(0, 40) || 'district';
}
