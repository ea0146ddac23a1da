/**
 * Health records: immunizations as the Ed-Fi `studentHealths` resource
 * (added in DS 5.1; shape as in the DS 6.0 resources API), and health
 * conditions and screenings as our `rex` extension resource
 * `studentHealthConditions`, because Ed-Fi core has no resource for them.
 */
import { IMMUNIZATION_TYPE, NON_MEDICAL_IMMUNIZATION_EXEMPTION, gradeLevelUri } from './descriptors.js';
import type { DistrictPlan } from './district-plan.js';
import type { StudentPlan } from './family-plan.js';
import { deriveRandom, type Random } from './random.js';
import { educationOrganizationReference, studentReference } from './references.js';
import { AS_OF_DATE, CURRENT_SCHOOL_YEAR, addDays, schoolYearBounds } from './school-calendar.js';
import { edfi, rex, type SyntheticRecord } from './synthetic-record.js';

/**
 * The `rex` extension document `studentHealthConditions`
 * (`/data/v3/rex/studentHealthConditions`): one per student and education
 * organization, holding the health conditions and screenings a school nurse
 * records. Natural key: `studentReference` + `educationOrganizationReference`
 * (like Ed-Fi's `studentHealths`). Codes are plain strings from the lists
 * below rather than descriptors, since Ed-Fi publishes no descriptors for them.
 *
 * ```json
 * {
 *   "studentReference": { "studentUniqueId": "604000123" },
 *   "educationOrganizationReference": { "educationOrganizationId": 400720 },
 *   "asOfDate": "2026-02-13",
 *   "conditions": [{ "conditionType": "Asthma", "description": "Exercise-induced asthma",
 *     "severity": "Mild", "status": "Active", "onsetDate": "2021-04-02",
 *     "reportedBy": "Physician", "carePlan": true,
 *     "medications": [{ "name": "Albuterol inhaler", "dosage": "2 puffs as needed", "administeredAtSchool": true }] }],
 *   "screenings": [{ "screeningType": "Vision", "screeningDate": "2025-09-23",
 *     "gradeLevelDescriptor": "uri://ed-fi.org/GradeLevelDescriptor#Third grade", "result": "Refer",
 *     "measurements": [{ "name": "Right eye", "value": "20/40" }, { "name": "Left eye", "value": "20/30" }],
 *     "followUpRequired": true, "referralDate": "2025-09-24", "screenedBy": "School nurse" }]
 * }
 * ```
 */
export interface StudentHealthConditionsDocument {
  /** The student (identity). */
  studentReference: { studentUniqueId: string };
  /** The education organization keeping the record, usually the district (identity). */
  educationOrganizationReference: { educationOrganizationId: number };
  /** The date the record was last reviewed (YYYY-MM-DD). */
  asOfDate: string;
  /** Known health conditions, active or resolved; empty when none is known. */
  conditions: HealthConditionEntry[];
  /** Screenings done at school, oldest first. */
  screenings: HealthScreeningEntry[];
}

/** Kinds of health condition a school records. */
export type HealthConditionType =
  | 'Asthma'
  | 'Food allergy'
  | 'Insect sting allergy'
  | 'Seasonal allergies'
  | 'ADHD'
  | 'Type 1 diabetes'
  | 'Seizure disorder'
  | 'Migraine'
  | 'Eczema'
  | 'Celiac disease';

/** One health condition of a student. */
export interface HealthConditionEntry {
  conditionType: HealthConditionType;
  /** Free text, e.g. "Peanut allergy (anaphylaxis)". */
  description: string;
  severity: 'Mild' | 'Moderate' | 'Severe';
  status: 'Active' | 'Resolved';
  onsetDate?: string;
  resolvedDate?: string;
  reportedBy: 'Parent/guardian' | 'Physician' | 'School nurse';
  /** Whether an individual health plan or emergency action plan is on file. */
  carePlan: boolean;
  medications?: { name: string; dosage?: string; administeredAtSchool: boolean }[];
}

/** Kinds of school health screening. */
export type HealthScreeningType = 'Vision' | 'Hearing' | 'Dental' | 'Scoliosis' | 'BMI';

/** One health screening of a student. */
export interface HealthScreeningEntry {
  screeningType: HealthScreeningType;
  screeningDate: string;
  /** The student's grade at screening, an Ed-Fi GradeLevelDescriptor URI. */
  gradeLevelDescriptor: string;
  result: 'Pass' | 'Refer' | 'Fail';
  measurements?: { name: string; value: string; unit?: string }[];
  followUpRequired: boolean;
  referralDate?: string;
  screenedBy: 'School nurse' | 'Volunteer screener' | 'Dental hygienist';
}

const DATE = { type: 'string', format: 'date' } as const;

/**
 * JSON Schema (draft-07, ajv-compatible) of {@link StudentHealthConditionsDocument},
 * for the API that serves the `rex` extension to validate POST bodies with.
 */
export const STUDENT_HEALTH_CONDITIONS_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'rex_studentHealthConditions',
  type: 'object',
  additionalProperties: false,
  required: ['studentReference', 'educationOrganizationReference', 'asOfDate', 'conditions', 'screenings'],
  properties: {
    studentReference: {
      type: 'object',
      additionalProperties: false,
      required: ['studentUniqueId'],
      properties: { studentUniqueId: { type: 'string', minLength: 1, maxLength: 32 } },
    },
    educationOrganizationReference: {
      type: 'object',
      additionalProperties: false,
      required: ['educationOrganizationId'],
      properties: { educationOrganizationId: { type: 'integer' } },
    },
    asOfDate: DATE,
    conditions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['conditionType', 'description', 'severity', 'status', 'reportedBy', 'carePlan'],
        properties: {
          conditionType: {
            enum: ['Asthma', 'Food allergy', 'Insect sting allergy', 'Seasonal allergies', 'ADHD', 'Type 1 diabetes', 'Seizure disorder', 'Migraine', 'Eczema', 'Celiac disease'],
          },
          description: { type: 'string', minLength: 1, maxLength: 255 },
          severity: { enum: ['Mild', 'Moderate', 'Severe'] },
          status: { enum: ['Active', 'Resolved'] },
          onsetDate: DATE,
          resolvedDate: DATE,
          reportedBy: { enum: ['Parent/guardian', 'Physician', 'School nurse'] },
          carePlan: { type: 'boolean' },
          medications: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'administeredAtSchool'],
              properties: {
                name: { type: 'string', minLength: 1, maxLength: 100 },
                dosage: { type: 'string', maxLength: 100 },
                administeredAtSchool: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
    screenings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['screeningType', 'screeningDate', 'gradeLevelDescriptor', 'result', 'followUpRequired', 'screenedBy'],
        properties: {
          screeningType: { enum: ['Vision', 'Hearing', 'Dental', 'Scoliosis', 'BMI'] },
          screeningDate: DATE,
          gradeLevelDescriptor: { type: 'string', maxLength: 306 },
          result: { enum: ['Pass', 'Refer', 'Fail'] },
          measurements: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'value'],
              properties: {
                name: { type: 'string', minLength: 1, maxLength: 60 },
                value: { type: 'string', minLength: 1, maxLength: 60 },
                unit: { type: 'string', maxLength: 20 },
              },
            },
          },
          followUpRequired: { type: 'boolean' },
          referralDate: DATE,
          screenedBy: { enum: ['School nurse', 'Volunteer screener', 'Dental hygienist'] },
        },
      },
    },
  },
} as const;

/** The student's immunization record (`studentHealths`). */
export function studentHealthRecord(district: DistrictPlan, student: StudentPlan): SyntheticRecord {
  const random = deriveRandom(district.options.seed, 'immunizations', student.index);
  const exemption = random.chance(0.03) ? random.pick(['Religious', 'Philosophical'] as const) : undefined;
  const firstEntry = student.enrollments[0]?.entryDate ?? AS_OF_DATE;
  return edfi('studentHealths', {
    educationOrganizationReference: educationOrganizationReference(district.localEducationAgencyId),
    studentReference: studentReference(student.studentUniqueId),
    asOfDate: firstEntry > '2025-08-01' ? firstEntry : '2025-08-01',
    ...(exemption
      ? {
          nonMedicalImmunizationExemptionDescriptor: NON_MEDICAL_IMMUNIZATION_EXEMPTION[exemption],
          nonMedicalImmunizationExemptionDate: addDays(firstEntry, -random.int(5, 60)),
        }
      : {}),
    requiredImmunizations: requiredImmunizations(random, student, exemption !== undefined),
    ...(random.chance(0.35)
      ? { additionalImmunizations: [{ immunizationName: 'Influenza', dates: [{ immunizationDate: `2025-10-${String(random.int(1, 28)).padStart(2, '0')}` }] }] }
      : {}),
  });
}

/** The student's conditions and screenings (`rex` `studentHealthConditions`). */
export function studentHealthConditionsRecord(district: DistrictPlan, student: StudentPlan): SyntheticRecord {
  const random = deriveRandom(district.options.seed, 'health-conditions', student.index);
  const document: StudentHealthConditionsDocument = {
    studentReference: studentReference(student.studentUniqueId),
    educationOrganizationReference: educationOrganizationReference(district.localEducationAgencyId),
    asOfDate: AS_OF_DATE,
    conditions: conditionsOf(random, student),
    screenings: screeningsOf(random, student),
  };
  return rex('studentHealthConditions', { ...document });
}

/**
 * Doses by the CDC child schedule, as [type, days after birth, jitter days].
 * Only doses given before the as-of date are recorded.
 */
const SCHEDULE: readonly (readonly [keyof typeof IMMUNIZATION_TYPE, number, number])[] = [
  ['HepB', 0, 2], ['HepB', 45, 15], ['HepB', 200, 60],
  ['DTaP', 61, 7], ['DTaP', 122, 10], ['DTaP', 183, 14], ['DTaP', 480, 45], ['DTaP', 1640, 180],
  ['Hib', 61, 7], ['Hib', 122, 10], ['Hib', 400, 40],
  ['PCV', 61, 7], ['PCV', 122, 10], ['PCV', 183, 14], ['PCV', 400, 40],
  ['IPV', 61, 7], ['IPV', 122, 10], ['IPV', 300, 90], ['IPV', 1640, 180],
  ['MMR', 380, 30], ['MMR', 1640, 180],
  ['VAR', 380, 30], ['VAR', 1640, 180],
  ['HepA', 400, 60], ['HepA', 620, 60],
  ['MenACWY', 4200, 120], ['MenACWY', 5900, 120],
  ['HPV', 4200, 150], ['HPV', 4400, 150],
];

function requiredImmunizations(random: Random, student: StudentPlan, exempt: boolean): Record<string, unknown>[] {
  const skipped = new Set<string>();
  if (exempt) for (const type of ['MMR', 'VAR', 'HepA', 'HPV', 'MenACWY']) if (random.chance(0.8)) skipped.add(type);
  if (!random.chance(0.55)) skipped.add('HPV');
  const dates = new Map<string, string[]>();
  for (const [type, days, jitter] of SCHEDULE) {
    if (skipped.has(type) || random.chance(0.015)) continue;
    const date = addDays(student.birthDate, days + random.int(0, jitter));
    if (date >= AS_OF_DATE) continue;
    dates.set(type, [...(dates.get(type) ?? []), date]);
  }
  return [...dates.entries()].map(([type, given]) => ({
    immunizationTypeDescriptor: IMMUNIZATION_TYPE[type as keyof typeof IMMUNIZATION_TYPE],
    dates: given.map((immunizationDate) => ({ immunizationDate })),
  }));
}

interface ConditionTemplate {
  readonly type: HealthConditionType;
  readonly prevalence: number;
  readonly descriptions: readonly string[];
  readonly medication?: { name: string; dosage?: string; administeredAtSchool: boolean };
  readonly carePlan: boolean;
}

const CONDITIONS: readonly ConditionTemplate[] = [
  { type: 'Asthma', prevalence: 0.08, descriptions: ['Asthma', 'Exercise-induced asthma'], medication: { name: 'Albuterol inhaler', dosage: '2 puffs as needed', administeredAtSchool: true }, carePlan: true },
  { type: 'Food allergy', prevalence: 0.06, descriptions: ['Peanut allergy (anaphylaxis)', 'Tree nut allergy', 'Shellfish allergy', 'Milk allergy', 'Egg allergy'], medication: { name: 'Epinephrine auto-injector', dosage: '0.3 mg', administeredAtSchool: true }, carePlan: true },
  { type: 'Insect sting allergy', prevalence: 0.01, descriptions: ['Bee sting allergy'], medication: { name: 'Epinephrine auto-injector', dosage: '0.15 mg', administeredAtSchool: true }, carePlan: true },
  { type: 'Seasonal allergies', prevalence: 0.07, descriptions: ['Seasonal allergic rhinitis'], carePlan: false },
  { type: 'ADHD', prevalence: 0.08, descriptions: ['Attention-deficit/hyperactivity disorder'], medication: { name: 'Methylphenidate', dosage: '10 mg at noon', administeredAtSchool: true }, carePlan: false },
  { type: 'Type 1 diabetes', prevalence: 0.003, descriptions: ['Type 1 diabetes, insulin pump'], medication: { name: 'Insulin', dosage: 'per pump settings', administeredAtSchool: true }, carePlan: true },
  { type: 'Seizure disorder', prevalence: 0.006, descriptions: ['Epilepsy'], medication: { name: 'Diazepam rectal gel', dosage: 'for seizures over 5 minutes', administeredAtSchool: true }, carePlan: true },
  { type: 'Migraine', prevalence: 0.02, descriptions: ['Migraine headaches'], medication: { name: 'Ibuprofen', dosage: '200 mg as needed', administeredAtSchool: true }, carePlan: false },
  { type: 'Eczema', prevalence: 0.03, descriptions: ['Atopic dermatitis'], carePlan: false },
  { type: 'Celiac disease', prevalence: 0.005, descriptions: ['Celiac disease: gluten-free diet'], carePlan: true },
];

function conditionsOf(random: Random, student: StudentPlan): HealthConditionEntry[] {
  const conditions: HealthConditionEntry[] = [];
  for (const template of CONDITIONS) {
    if (!random.chance(template.prevalence)) continue;
    const onsetDate = addDays(student.birthDate, random.int(200, Math.max(201, 365 * (student.grade + 4))));
    const resolved = template.type === 'Asthma' && random.chance(0.2) ? addDays(onsetDate, random.int(400, 1500)) : undefined;
    const status = resolved && resolved < AS_OF_DATE ? 'Resolved' : 'Active';
    conditions.push({
      conditionType: template.type,
      description: random.pick(template.descriptions),
      severity: random.weighted(['Mild', 'Moderate', 'Severe'] as const, [55, 35, 10]),
      status,
      ...(onsetDate < AS_OF_DATE ? { onsetDate } : {}),
      ...(status === 'Resolved' && resolved ? { resolvedDate: resolved } : {}),
      reportedBy: random.weighted(['Parent/guardian', 'Physician', 'School nurse'] as const, [50, 40, 10]),
      carePlan: template.carePlan && status === 'Active',
      ...(template.medication && status === 'Active' ? { medications: [{ ...template.medication }] } : {}),
    });
  }
  return conditions;
}

/** Which screenings each grade gets (typical state school-health requirements). */
const SCREENINGS_BY_GRADE: Readonly<Record<HealthScreeningType, readonly number[]>> = {
  Vision: [0, 1, 3, 5, 7, 9],
  Hearing: [0, 1, 3, 5, 7],
  Dental: [0, 3],
  Scoliosis: [6, 8],
  BMI: [0, 3, 6, 9],
};

function screeningsOf(random: Random, student: StudentPlan): HealthScreeningEntry[] {
  const screenings: HealthScreeningEntry[] = [];
  for (const enrollment of student.enrollments) {
    if (enrollment.schoolYear < CURRENT_SCHOOL_YEAR - 1) continue;
    const autumn = addDays(schoolYearBounds(enrollment.schoolYear).beginDate, 30);
    if (enrollment.entryDate > autumn || (enrollment.exitDate !== undefined && enrollment.exitDate < autumn)) continue;
    for (const type of Object.keys(SCREENINGS_BY_GRADE) as HealthScreeningType[]) {
      if (!SCREENINGS_BY_GRADE[type].includes(enrollment.grade)) continue;
      screenings.push(screening(random, type, addDays(autumn, random.int(0, 30)), enrollment.grade));
    }
  }
  return screenings;
}

function screening(random: Random, type: HealthScreeningType, date: string, grade: number): HealthScreeningEntry {
  const referRate = type === 'Vision' ? 0.1 : type === 'Dental' ? 0.15 : 0.04;
  const refer = random.chance(referRate);
  return {
    screeningType: type,
    screeningDate: date,
    gradeLevelDescriptor: gradeLevelUri(grade),
    result: refer ? 'Refer' : 'Pass',
    ...measurementsOf(random, type, refer),
    followUpRequired: refer,
    ...(refer ? { referralDate: addDays(date, random.int(1, 7)) } : {}),
    screenedBy: type === 'Dental' ? 'Dental hygienist' : type === 'Hearing' && random.chance(0.3) ? 'Volunteer screener' : 'School nurse',
  };
}

function measurementsOf(random: Random, type: HealthScreeningType, refer: boolean): Pick<HealthScreeningEntry, 'measurements'> {
  const acuity = (): string => (refer ? random.pick(['20/40', '20/50', '20/70']) : random.pick(['20/20', '20/20', '20/25']));
  switch (type) {
    case 'Vision':
      return { measurements: [{ name: 'Right eye', value: acuity() }, { name: 'Left eye', value: acuity() }] };
    case 'Hearing':
      return { measurements: [{ name: 'Threshold', value: String(refer ? random.int(30, 45) : random.int(10, 20)), unit: 'dB' }] };
    case 'BMI':
      return { measurements: [{ name: 'BMI percentile', value: String(refer ? random.int(95, 99) : random.int(10, 84)), unit: '%' }] };
    default:
      return {};
  }
}
