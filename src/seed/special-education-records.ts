/**
 * Programs and special education. About 13% of US public school students
 * receive IDEA services (NCES, Condition of Education); those students get a
 * studentSpecialEducationProgramAssociation with disability, IEP dates,
 * setting and services, and their disability on the district association.
 */
import {
  DISABILITY,
  DISABILITY_DETERMINATION_SOURCE,
  PROGRAM_SPONSOR,
  PROGRAM_TYPE,
  SPECIAL_EDUCATION_SERVICE,
  SPECIAL_EDUCATION_SETTING,
  type DescriptorUri,
} from './descriptors.js';
import type { DistrictPlan } from './district-plan.js';
import type { StudentPlan } from './family-plan.js';
import { deriveRandom, type Random } from './random.js';
import { educationOrganizationReference, programReference, studentReference } from './references.js';
import { AS_OF_DATE, CURRENT_SCHOOL_YEAR, addDays, schoolYearBounds } from './school-calendar.js';
import { edfi, type SyntheticRecord } from './synthetic-record.js';

const SPECIAL_EDUCATION_SHARE = 0.13;
const SPECIAL_EDUCATION_PROGRAM = 'Special Education';

const PROGRAMS: readonly { name: string; type: keyof typeof PROGRAM_TYPE; programId: string }[] = [
  { name: SPECIAL_EDUCATION_PROGRAM, type: 'Special Education', programId: 'SPED' },
  { name: 'Section 504', type: 'Section 504 Placement', programId: '504' },
  { name: 'Gifted and Talented', type: 'Gifted and Talented', programId: 'GT' },
];

/** Disability categories with their share of IDEA students (NCES, ages 3–21). */
const DISABILITIES: readonly (keyof typeof DISABILITY)[] = [
  'Specific Learning Disability',
  'Speech or Language Impairment',
  'Other Health Impairment',
  'Autism Spectrum Disorders',
  'Intellectual Disability',
  'Serious Emotional Disability',
  'Multiple Disabilities',
  'Hearing Impairment, including Deafness',
  'Orthopedic Impairment',
  'Visual Impairment, including Blindness',
  'Traumatic Brain Injury',
];
const DISABILITY_WEIGHTS = [32, 19, 15, 13, 6, 5, 2, 1, 1, 0.4, 0.4];

/** A student's special education plan. */
export interface SpecialEducationPlan {
  readonly disabilities: readonly DescriptorUri[];
  readonly beginDate: string;
  readonly iepBeginDate: string;
  readonly lastEvaluationDate: string;
  readonly setting: DescriptorUri;
  readonly services: readonly DescriptorUri[];
  readonly hoursPerWeek: number;
}

/** The district's programs (special education, Section 504, gifted and talented). */
export function* programRecords(district: DistrictPlan): Generator<SyntheticRecord> {
  for (const program of PROGRAMS) {
    yield edfi('programs', {
      programName: program.name,
      programTypeDescriptor: PROGRAM_TYPE[program.type],
      educationOrganizationReference: educationOrganizationReference(district.localEducationAgencyId),
      programId: program.programId,
      sponsors: [{ programSponsorDescriptor: PROGRAM_SPONSOR['Local Education Agency'] }],
    });
  }
}

/** Whether (and how) the student receives special education; a pure function of the student. */
export function specialEducationPlanOf(district: DistrictPlan, student: StudentPlan): SpecialEducationPlan | undefined {
  const random = deriveRandom(district.options.seed, 'special-education', student.index);
  if (!random.chance(SPECIAL_EDUCATION_SHARE)) return undefined;
  const first = random.weighted(DISABILITIES, DISABILITY_WEIGHTS);
  const disabilities = [DISABILITY[first]];
  if (first !== 'Speech or Language Impairment' && random.chance(0.15)) disabilities.push(DISABILITY['Speech or Language Impairment']);
  const eligibleYear = CURRENT_SCHOOL_YEAR - student.grade + random.int(0, student.grade);
  const beginDate = addDays(schoolYearBounds(eligibleYear).beginDate, random.int(20, 120));
  const iepBeginDate = addDays(AS_OF_DATE, -random.int(10, 350));
  return {
    disabilities,
    beginDate: beginDate < iepBeginDate ? beginDate : iepBeginDate,
    iepBeginDate,
    lastEvaluationDate: addDays(iepBeginDate, -random.int(0, 700)),
    setting: settingOf(random, first),
    services: servicesOf(random, first),
    hoursPerWeek: random.pick([2, 3, 5, 8, 10, 15, 20]),
  };
}

/** The student's special education program association, if any. */
export function* specialEducationRecords(district: DistrictPlan, student: StudentPlan, plan: SpecialEducationPlan | undefined): Generator<SyntheticRecord> {
  if (plan === undefined) return;
  const lea = district.localEducationAgencyId;
  yield edfi('studentSpecialEducationProgramAssociations', {
    beginDate: plan.beginDate,
    educationOrganizationReference: educationOrganizationReference(lea),
    programReference: programReference(lea, SPECIAL_EDUCATION_PROGRAM, PROGRAM_TYPE['Special Education']),
    studentReference: studentReference(student.studentUniqueId),
    ideaEligibility: true,
    iepBeginDate: plan.iepBeginDate,
    iepEndDate: addDays(plan.iepBeginDate, 364),
    iepReviewDate: addDays(plan.iepBeginDate, 364),
    lastEvaluationDate: plan.lastEvaluationDate,
    specialEducationSettingDescriptor: plan.setting,
    specialEducationHoursPerWeek: plan.hoursPerWeek,
    schoolHoursPerWeek: 32.5,
    disabilities: plan.disabilities.map((disabilityDescriptor, order) => ({
      disabilityDescriptor,
      disabilityDeterminationSourceTypeDescriptor: DISABILITY_DETERMINATION_SOURCE['By school psychologist or other psychologist'],
      orderOfDisability: order + 1,
    })),
    specialEducationProgramServices: plan.services.map((specialEducationProgramServiceDescriptor, order) => ({
      specialEducationProgramServiceDescriptor,
      primaryIndicator: order === 0,
      serviceBeginDate: plan.iepBeginDate,
    })),
  });
}

function settingOf(random: Random, disability: keyof typeof DISABILITY): DescriptorUri {
  const severe = disability === 'Intellectual Disability' || disability === 'Multiple Disabilities' || disability === 'Autism Spectrum Disorders';
  const settings = [
    SPECIAL_EDUCATION_SETTING['Inside regular class 80% or more of the day'],
    SPECIAL_EDUCATION_SETTING['Inside regular class between 40-79% of the day'],
    SPECIAL_EDUCATION_SETTING['Inside regular class less than 40% of the day'],
    SPECIAL_EDUCATION_SETTING['Separate class'],
  ];
  return random.weighted(settings, severe ? [25, 30, 35, 10] : [70, 20, 8, 2]);
}

function servicesOf(random: Random, disability: keyof typeof DISABILITY): DescriptorUri[] {
  if (disability === 'Speech or Language Impairment') return [SPECIAL_EDUCATION_SERVICE['Speech-Language And Audiology Services']];
  const services = [random.pick([
    SPECIAL_EDUCATION_SERVICE['Psychological Services'],
    SPECIAL_EDUCATION_SERVICE['Counseling Services'],
    SPECIAL_EDUCATION_SERVICE['Occupational And Physical Therapy'],
    SPECIAL_EDUCATION_SERVICE['Social Work Services'],
  ])];
  return services;
}
