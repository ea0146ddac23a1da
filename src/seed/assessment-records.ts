/**
 * Assessments and results: the state's spring summative tests (ELA and
 * mathematics in grades 3–8, end-of-course Algebra I and English II in high
 * school) for the last two years, and the district's fall reading and math
 * benchmark for grades K–8 this year. Scale scores follow the student's
 * ability, so a strong student scores well everywhere.
 */
import {
  ACADEMIC_SUBJECT,
  ADMINISTRATION_ENVIRONMENT,
  ASSESSMENT_CATEGORY,
  ASSESSMENT_PERIOD,
  ASSESSMENT_REPORTING_METHOD,
  PERFORMANCE_LEVEL,
  PLATFORM_TYPE,
  RESULT_DATATYPE,
  gradeLevelUri,
  type DescriptorUri,
} from './descriptors.js';
import { schoolAt, type DistrictPlan } from './district-plan.js';
import type { EnrollmentPlan, StudentPlan } from './family-plan.js';
import { hashParts } from './random.js';
import { assessmentReference, schoolReference, schoolYearTypeReference, studentReference } from './references.js';
import { CURRENT_SCHOOL_YEAR } from './school-calendar.js';
import { edfi, type SyntheticRecord } from './synthetic-record.js';

interface AssessmentDefinition {
  readonly identifier: string;
  readonly title: string;
  readonly kind: 'state' | 'benchmark';
  readonly category: DescriptorUri;
  readonly subject: DescriptorUri;
  readonly grades: readonly number[];
  readonly period: DescriptorUri;
  /** Scale score range and the lowest scores of Basic, Proficient and Advanced. */
  readonly scale: readonly [min: number, max: number];
  readonly cuts: readonly [basic: number, proficient: number, advanced: number];
  /** Month and day of administration, e.g. '04-15'. */
  readonly administered: string;
}

const ASSESSMENTS: readonly AssessmentDefinition[] = [
  {
    identifier: 'STATE-ELA',
    title: 'State Summative Assessment: English Language Arts',
    kind: 'state',
    category: ASSESSMENT_CATEGORY['State summative assessment 3-8 general'],
    subject: ACADEMIC_SUBJECT['English Language Arts'],
    grades: [3, 4, 5, 6, 7, 8],
    period: ASSESSMENT_PERIOD.Spring,
    scale: [2200, 2800],
    cuts: [2420, 2500, 2590],
    administered: '04-15',
  },
  {
    identifier: 'STATE-MATH',
    title: 'State Summative Assessment: Mathematics',
    kind: 'state',
    category: ASSESSMENT_CATEGORY['State summative assessment 3-8 general'],
    subject: ACADEMIC_SUBJECT.Mathematics,
    grades: [3, 4, 5, 6, 7, 8],
    period: ASSESSMENT_PERIOD.Spring,
    scale: [2200, 2800],
    cuts: [2430, 2510, 2600],
    administered: '04-17',
  },
  {
    identifier: 'STATE-EOC-ALG1',
    title: 'State End-of-Course Assessment: Algebra I',
    kind: 'state',
    category: ASSESSMENT_CATEGORY['State high school subject assessment'],
    subject: ACADEMIC_SUBJECT.Mathematics,
    grades: [9],
    period: ASSESSMENT_PERIOD.Spring,
    scale: [600, 800],
    cuts: [680, 700, 740],
    administered: '05-06',
  },
  {
    identifier: 'STATE-EOC-ENG2',
    title: 'State End-of-Course Assessment: English II',
    kind: 'state',
    category: ASSESSMENT_CATEGORY['State high school subject assessment'],
    subject: ACADEMIC_SUBJECT['English Language Arts'],
    grades: [10],
    period: ASSESSMENT_PERIOD.Spring,
    scale: [600, 800],
    cuts: [675, 700, 745],
    administered: '04-29',
  },
  {
    identifier: 'BENCH-READ',
    title: 'District Benchmark: Reading',
    kind: 'benchmark',
    category: ASSESSMENT_CATEGORY['Benchmark test'],
    subject: ACADEMIC_SUBJECT.Reading,
    grades: [0, 1, 2, 3, 4, 5, 6, 7, 8],
    period: ASSESSMENT_PERIOD.Fall,
    scale: [100, 300],
    cuts: [160, 190, 230],
    administered: '09-10',
  },
  {
    identifier: 'BENCH-MATH',
    title: 'District Benchmark: Mathematics',
    kind: 'benchmark',
    category: ASSESSMENT_CATEGORY['Benchmark test'],
    subject: ACADEMIC_SUBJECT.Mathematics,
    grades: [0, 1, 2, 3, 4, 5, 6, 7, 8],
    period: ASSESSMENT_PERIOD.Fall,
    scale: [100, 300],
    cuts: [165, 195, 235],
    administered: '09-11',
  },
];

const LEVELS = ['Below Basic', 'Basic', 'Proficient', 'Advanced'] as const;

/** The assessment definitions (state tests and district benchmarks). */
export function* assessmentRecords(district: DistrictPlan): Generator<SyntheticRecord> {
  for (const definition of ASSESSMENTS) yield edfi('assessments', assessmentDocument(district, definition));
}

/** The student's results: state tests of the last two years, this fall's benchmarks. */
export function* studentAssessmentRecords(district: DistrictPlan, student: StudentPlan): Generator<SyntheticRecord> {
  for (const enrollment of student.enrollments) {
    const { schoolYear } = enrollment;
    const recentPast = schoolYear >= CURRENT_SCHOOL_YEAR - 2 && schoolYear < CURRENT_SCHOOL_YEAR;
    const benchmarkYear = schoolYear === CURRENT_SCHOOL_YEAR && takesFallBenchmark(enrollment);
    for (const definition of ASSESSMENTS) {
      if (!definition.grades.includes(enrollment.grade)) continue;
      if ((definition.kind === 'state' && recentPast) || (definition.kind === 'benchmark' && benchmarkYear)) {
        yield edfi('studentAssessments', studentAssessmentDocument(district, student, enrollment, definition));
      }
    }
  }
}

/** The namespace of an assessment: the state's for state tests, the district's for benchmarks. */
function namespaceOf(district: DistrictPlan, definition: AssessmentDefinition): string {
  return definition.kind === 'state'
    ? `uri://assessments.${district.options.district.state.toLowerCase()}.example.org/state`
    : `uri://${district.emailDomain}/benchmark`;
}

function takesFallBenchmark(enrollment: EnrollmentPlan): boolean {
  const day = `${CURRENT_SCHOOL_YEAR - 1}-09-10`;
  return enrollment.entryDate <= day && (enrollment.exitDate === undefined || enrollment.exitDate >= day);
}

function assessmentDocument(district: DistrictPlan, definition: AssessmentDefinition): Record<string, unknown> {
  const [min, max] = definition.scale;
  const bounds = levelBounds(definition);
  return {
    assessmentIdentifier: definition.identifier,
    namespace: namespaceOf(district, definition),
    assessmentTitle: definition.title,
    academicSubjects: [{ academicSubjectDescriptor: definition.subject }],
    assessedGradeLevels: definition.grades.map((grade) => ({ gradeLevelDescriptor: gradeLevelUri(grade) })),
    assessmentCategoryDescriptor: definition.category,
    assessmentVersion: CURRENT_SCHOOL_YEAR,
    periods: [{ assessmentPeriodDescriptor: definition.period }],
    platformTypes: [{ platformTypeDescriptor: PLATFORM_TYPE['Computer-based'] }],
    scores: [
      {
        assessmentReportingMethodDescriptor: ASSESSMENT_REPORTING_METHOD['Scale score'],
        resultDatatypeTypeDescriptor: RESULT_DATATYPE.Integer,
        minimumScore: String(min),
        maximumScore: String(max),
      },
    ],
    performanceLevels: LEVELS.map((level, index) => ({
      assessmentReportingMethodDescriptor: ASSESSMENT_REPORTING_METHOD['Scale score'],
      performanceLevelDescriptor: PERFORMANCE_LEVEL[level],
      resultDatatypeTypeDescriptor: RESULT_DATATYPE.Integer,
      minimumScore: String(bounds[index]?.[0] ?? min),
      maximumScore: String(bounds[index]?.[1] ?? max),
    })),
  };
}

function studentAssessmentDocument(
  district: DistrictPlan,
  student: StudentPlan,
  enrollment: EnrollmentPlan,
  definition: AssessmentDefinition,
): Record<string, unknown> {
  const year = definition.kind === 'state' ? enrollment.schoolYear : enrollment.schoolYear - 1;
  const score = scaleScore(district, student, definition, enrollment.schoolYear);
  const level = LEVELS[levelIndex(definition, score)] ?? 'Basic';
  return {
    studentAssessmentIdentifier: `${student.studentUniqueId}-${definition.identifier}-${enrollment.schoolYear}`,
    assessmentReference: assessmentReference(definition.identifier, namespaceOf(district, definition)),
    studentReference: studentReference(student.studentUniqueId),
    schoolYearTypeReference: schoolYearTypeReference(enrollment.schoolYear),
    reportedSchoolReference: schoolReference(schoolAt(district, enrollment.schoolIndex).schoolId),
    administrationDate: `${year}-${definition.administered}T09:00:00Z`,
    whenAssessedGradeLevelDescriptor: gradeLevelUri(enrollment.grade),
    administrationEnvironmentDescriptor: ADMINISTRATION_ENVIRONMENT.School,
    platformTypeDescriptor: PLATFORM_TYPE['Computer-based'],
    period: { assessmentPeriodDescriptor: definition.period },
    scoreResults: [
      {
        assessmentReportingMethodDescriptor: ASSESSMENT_REPORTING_METHOD['Scale score'],
        resultDatatypeTypeDescriptor: RESULT_DATATYPE.Integer,
        result: String(score),
      },
    ],
    performanceLevels: [
      {
        assessmentReportingMethodDescriptor: ASSESSMENT_REPORTING_METHOD['Scale score'],
        performanceLevelDescriptor: PERFORMANCE_LEVEL[level],
      },
    ],
  };
}

/** Scale score from ability (62–102 maps across the scale) plus per-test noise. */
function scaleScore(district: DistrictPlan, student: StudentPlan, definition: AssessmentDefinition, schoolYear: number): number {
  const [min, max] = definition.scale;
  const noise = ((hashParts(district.options.seed, student.studentUniqueId, definition.identifier, schoolYear) % 1000) / 1000 - 0.5) * 0.3;
  const position = Math.max(0, Math.min(1, (student.ability - 60) / 42 + noise));
  return Math.round(min + position * (max - min));
}

function levelBounds(definition: AssessmentDefinition): [number, number][] {
  const [min, max] = definition.scale;
  const [basic, proficient, advanced] = definition.cuts;
  return [
    [min, basic - 1],
    [basic, proficient - 1],
    [proficient, advanced - 1],
    [advanced, max],
  ];
}

function levelIndex(definition: AssessmentDefinition, score: number): number {
  return definition.cuts.filter((cut) => score >= cut).length;
}
