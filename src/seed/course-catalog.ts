/**
 * The district's course catalog and who takes what. Elementary students take
 * four subjects with their homeroom class; middle and high school students
 * take six courses a year: core courses for their grade (an honors or
 * advanced option for strong students) and electives.
 *
 * Course choices are functions of the student and the year, so the same
 * student takes the same courses in both generator passes.
 */
import { levelOfGrade, type SchoolLevel } from './district-plan.js';
import { ACADEMIC_SUBJECT, COURSE_LEVEL_CHARACTERISTIC, type DescriptorUri } from './descriptors.js';
import { hashParts } from './random.js';

/** One course of the district catalog (a full-year course). */
export interface CourseDefinition {
  readonly courseCode: string;
  readonly title: string;
  readonly subject: DescriptorUri;
  readonly level: SchoolLevel;
  readonly grades: readonly number[];
  /** Carnegie units for the full year; 0 below high school. */
  readonly credits: number;
  readonly characteristic: DescriptorUri;
  /** Position in the catalog, used to spread sections over periods and rooms. */
  readonly ordinal: number;
}

interface Slot {
  /** Options in order: the first is the regular course, later ones are advanced or electives. */
  readonly options: readonly CourseDefinition[];
  readonly kind: 'core' | 'elective';
}

const SUBJECT = ACADEMIC_SUBJECT;
const CORE = COURSE_LEVEL_CHARACTERISTIC['Core Subject'];
const GENERAL = COURSE_LEVEL_CHARACTERISTIC.General;
const HONORS = COURSE_LEVEL_CHARACTERISTIC.Honors;
const AP = COURSE_LEVEL_CHARACTERISTIC['Advanced Placement'];

const catalog: CourseDefinition[] = [];

function course(
  courseCode: string,
  title: string,
  subject: DescriptorUri,
  grades: readonly number[],
  characteristic: DescriptorUri = CORE,
): CourseDefinition {
  const level = levelOfGrade(grades[0] ?? 0);
  const definition = {
    courseCode,
    title,
    subject,
    level,
    grades,
    credits: level === 'high' ? 1 : 0,
    characteristic,
    ordinal: catalog.length,
  };
  catalog.push(definition);
  return definition;
}

const GRADE_NAMES = ['Kindergarten', 'Grade 1', 'Grade 2', 'Grade 3', 'Grade 4', 'Grade 5'];

const ELEMENTARY_SLOTS: readonly (readonly Slot[])[] = GRADE_NAMES.map((name, grade) => {
  const code = grade === 0 ? 'K' : String(grade).padStart(2, '0');
  return [
    core(course(`ELA-${code}`, `${name} English Language Arts`, SUBJECT['English Language Arts'], [grade])),
    core(course(`MATH-${code}`, `${name} Mathematics`, SUBJECT.Mathematics, [grade])),
    core(course(`SCI-${code}`, `${name} Science`, SUBJECT.Science, [grade])),
    core(course(`SS-${code}`, `${name} Social Studies`, SUBJECT['Social Studies'], [grade])),
  ];
});

const MIDDLE_ELECTIVES = [
  course('ART-MS', 'Art', SUBJECT['Fine and Performing Arts'], [6, 7, 8], GENERAL),
  course('BAND-MS', 'Band', SUBJECT['Fine and Performing Arts'], [6, 7, 8], GENERAL),
  course('SPAN-MS', 'Exploratory Spanish', SUBJECT['Foreign Language and Literature'], [6, 7, 8], GENERAL),
  course('TECH-MS', 'Computer Technology', SUBJECT['Career and Technical Education'], [6, 7, 8], GENERAL),
];

const MIDDLE_SLOTS: readonly (readonly Slot[])[] = [
  middleGrade(6, 'Mathematics 6', 'Earth Science', 'World Cultures'),
  middleGrade(7, 'Mathematics 7', 'Life Science', 'State History'),
  middleGrade(8, 'Pre-Algebra', 'Physical Science', 'U.S. History to 1877'),
];

const HIGH_ELECTIVES = [
  course('SPAN1', 'Spanish I', SUBJECT['Foreign Language and Literature'], [9, 10, 11, 12], GENERAL),
  course('SPAN2', 'Spanish II', SUBJECT['Foreign Language and Literature'], [10, 11, 12], GENERAL),
  course('ART1', 'Art I', SUBJECT['Fine and Performing Arts'], [9, 10, 11, 12], GENERAL),
  course('CHOIR', 'Concert Choir', SUBJECT['Fine and Performing Arts'], [9, 10, 11, 12], GENERAL),
  course('BAND-HS', 'Symphonic Band', SUBJECT['Fine and Performing Arts'], [9, 10, 11, 12], GENERAL),
  course('CSP', 'Computer Science Principles', SUBJECT['Career and Technical Education'], [9, 10, 11, 12], GENERAL),
  course('CULIN', 'Culinary Arts', SUBJECT['Career and Technical Education'], [10, 11, 12], GENERAL),
  course('AUTO', 'Automotive Technology', SUBJECT['Career and Technical Education'], [11, 12], GENERAL),
];

const PE_HS = course('PE-HS', 'Physical Education', SUBJECT['Physical, Health, and Safety Education'], [9]);
const HEALTH = course('HEALTH', 'Health', SUBJECT['Physical, Health, and Safety Education'], [10]);

const HIGH_SLOTS: readonly (readonly Slot[])[] = [
  [
    choice(course('ENG9', 'English 9', SUBJECT['English Language Arts'], [9]), course('ENG9H', 'English 9 Honors', SUBJECT['English Language Arts'], [9], HONORS)),
    choice(course('ALG1', 'Algebra I', SUBJECT.Mathematics, [9]), course('GEOM9', 'Geometry Honors', SUBJECT.Mathematics, [9], HONORS)),
    core(course('BIO', 'Biology', SUBJECT.Science, [9])),
    core(course('WGEO', 'World Geography', SUBJECT['Social Studies'], [9])),
    core(PE_HS),
    elective(),
  ],
  [
    choice(course('ENG10', 'English 10', SUBJECT['English Language Arts'], [10]), course('ENG10H', 'English 10 Honors', SUBJECT['English Language Arts'], [10], HONORS)),
    choice(course('GEOM', 'Geometry', SUBJECT.Mathematics, [10]), course('ALG2H', 'Algebra II Honors', SUBJECT.Mathematics, [10], HONORS)),
    core(course('CHEM', 'Chemistry', SUBJECT.Science, [10])),
    core(course('WHIST', 'World History', SUBJECT['Social Studies'], [10])),
    core(HEALTH),
    elective(),
  ],
  [
    choice(course('ENG11', 'English 11', SUBJECT['English Language Arts'], [11]), course('APLANG', 'AP English Language', SUBJECT['English Language Arts'], [11], AP)),
    choice(course('ALG2', 'Algebra II', SUBJECT.Mathematics, [11]), course('PRECALCH', 'Pre-Calculus Honors', SUBJECT.Mathematics, [11], HONORS)),
    choice(course('ENVSCI', 'Environmental Science', SUBJECT.Science, [11]), course('PHYS', 'Physics', SUBJECT.Science, [11])),
    choice(course('USHIST', 'U.S. History', SUBJECT['Social Studies'], [11]), course('APUSH', 'AP U.S. History', SUBJECT['Social Studies'], [11], AP)),
    elective(),
    elective(),
  ],
  [
    choice(course('ENG12', 'English 12', SUBJECT['English Language Arts'], [12]), course('APLIT', 'AP English Literature', SUBJECT['English Language Arts'], [12], AP)),
    choice(course('STATS', 'Statistics', SUBJECT.Mathematics, [12]), course('APCALC', 'AP Calculus AB', SUBJECT.Mathematics, [12], AP)),
    choice(course('ANAT', 'Anatomy and Physiology', SUBJECT.Science, [12]), course('APBIO', 'AP Biology', SUBJECT.Science, [12], AP)),
    core(course('GOVECON', 'Government and Economics', SUBJECT['Social Studies'], [12])),
    elective(),
    elective(),
  ],
];

/** Percent ability from which a student takes the honors or AP option of a core course. */
const ADVANCED_FROM = 90;

/** Every course of the catalog, in catalog order. */
export const COURSE_CATALOG: readonly CourseDefinition[] = catalog;

/** The courses a school of a level offers. */
export function coursesOfLevel(level: SchoolLevel): CourseDefinition[] {
  return catalog.filter((definition) => definition.level === level);
}

/**
 * The courses a student takes in a school year at a grade: one per slot,
 * the advanced option for strong students and hashed elective choices
 * (different electives in one year).
 */
export function coursesTaken(seed: number, studentUniqueId: string, grade: number, schoolYear: number, ability: number): CourseDefinition[] {
  const slots = slotsOfGrade(grade);
  const taken: CourseDefinition[] = [];
  slots.forEach((slot, position) => {
    taken.push(slot.kind === 'core' ? coreOption(slot, ability) : electiveOption(slot, grade, taken, hashParts(seed, studentUniqueId, schoolYear, position)));
  });
  return taken;
}

function slotsOfGrade(grade: number): readonly Slot[] {
  if (grade <= 5) return ELEMENTARY_SLOTS[grade] ?? [];
  if (grade <= 8) return MIDDLE_SLOTS[grade - 6] ?? [];
  return HIGH_SLOTS[grade - 9] ?? [];
}

function coreOption(slot: Slot, ability: number): CourseDefinition {
  const option = ability >= ADVANCED_FROM ? slot.options[1] : undefined;
  return option ?? firstOption(slot);
}

function electiveOption(slot: Slot, grade: number, taken: readonly CourseDefinition[], hash: number): CourseDefinition {
  const open = slot.options.filter((option) => option.grades.includes(grade) && !taken.includes(option));
  return open[hash % Math.max(open.length, 1)] ?? firstOption(slot);
}

function firstOption(slot: Slot): CourseDefinition {
  const option = slot.options[0];
  if (option === undefined) throw new Error('course slot without options');
  return option;
}

function core(definition: CourseDefinition): Slot {
  return { options: [definition], kind: 'core' };
}

function choice(regular: CourseDefinition, advanced: CourseDefinition): Slot {
  return { options: [regular, advanced], kind: 'core' };
}

function elective(): Slot {
  return { options: HIGH_ELECTIVES, kind: 'elective' };
}

function middleGrade(grade: number, math: string, science: string, socialStudies: string): Slot[] {
  const code = String(grade).padStart(2, '0');
  return [
    core(course(`ELA-${code}`, `English Language Arts ${grade}`, SUBJECT['English Language Arts'], [grade])),
    core(course(`MATH-${code}`, math, SUBJECT.Mathematics, [grade])),
    core(course(`SCI-${code}`, science, SUBJECT.Science, [grade])),
    core(course(`SS-${code}`, socialStudies, SUBJECT['Social Studies'], [grade])),
    core(course(`PE-${code}`, `Physical Education ${grade}`, SUBJECT['Physical, Health, and Safety Education'], [grade])),
    { options: MIDDLE_ELECTIVES, kind: 'elective' },
  ];
}
