/**
 * Transcripts: one studentAcademicRecord per finished term with its
 * courseTranscripts. Earlier years (grade 6 and up, the last three years in
 * the district) are full-year records; the current year's fall semester,
 * closed before the as-of date, is a semester record worth half credits.
 * High school records carry cumulative credits and GPA.
 */
import { courseMark, gradePointAverage, PASSING_PERCENT, roundTo, type Mark } from './achievement.js';
import { coursesTaken, type CourseDefinition } from './course-catalog.js';
import {
  COURSE_ATTEMPT_RESULT,
  CREDIT_TYPE,
  GRADE_POINT_AVERAGE_TYPE,
  METHOD_CREDIT_EARNED,
  TERM,
  gradeLevelUri,
} from './descriptors.js';
import { schoolAt, type DistrictPlan } from './district-plan.js';
import type { StudentPlan } from './family-plan.js';
import {
  courseReference,
  educationOrganizationReference,
  schoolYearTypeReference,
  studentAcademicRecordReference,
  studentReference,
} from './references.js';
import { fallSemesterMark } from './schedule-records.js';
import { CURRENT_SCHOOL_YEAR, sessionByKey } from './school-calendar.js';
import type { ScheduledCourse } from './section-roster.js';
import { edfi, type SyntheticRecord } from './synthetic-record.js';

/** Years of transcript history kept per student (the most recent ones). */
const PRIOR_YEARS_KEPT = 3;
const FIRST_TRANSCRIPT_GRADE = 6;

interface TermRecord {
  readonly schoolYear: number;
  readonly term: string;
  readonly grade: number;
  readonly schoolId: number;
  readonly courses: readonly { readonly course: CourseDefinition; readonly mark: Mark }[];
  /** Share of a full-year course's credits this term is worth. */
  readonly creditShare: number;
}

interface Totals {
  attempted: number;
  earned: number;
  marks: Mark[];
}

/** Academic records and course transcripts, oldest term first; each record precedes its transcripts. */
export function* transcriptRecords(district: DistrictPlan, student: StudentPlan, schedule: readonly ScheduledCourse[]): Generator<SyntheticRecord> {
  const totals: Totals = { attempted: 0, earned: 0, marks: [] };
  for (const term of termsOf(district, student, schedule)) {
    const session = sessionTotals(term);
    if (term.grade >= 9) {
      totals.attempted += session.attempted;
      totals.earned += session.earned;
      totals.marks.push(...session.marks);
    }
    yield edfi('studentAcademicRecords', academicRecord(student, term, session, totals));
    for (const { course, mark } of term.courses) yield edfi('courseTranscripts', courseTranscript(district, student, term, course, mark));
  }
}

function termsOf(district: DistrictPlan, student: StudentPlan, schedule: readonly ScheduledCourse[]): TermRecord[] {
  const seed = district.options.seed;
  const priorYears = new Map<number, { grade: number; schoolIndex: number }>();
  for (const enrollment of student.enrollments) {
    if (enrollment.schoolYear < CURRENT_SCHOOL_YEAR && enrollment.grade >= FIRST_TRANSCRIPT_GRADE) {
      priorYears.set(enrollment.schoolYear, { grade: enrollment.grade, schoolIndex: enrollment.schoolIndex });
    }
  }
  const terms: TermRecord[] = [...priorYears.entries()].slice(-PRIOR_YEARS_KEPT).map(([schoolYear, year]) => ({
    schoolYear,
    term: TERM['Year Round'],
    grade: year.grade,
    schoolId: schoolAt(district, year.schoolIndex).schoolId,
    courses: coursesTaken(seed, student.studentUniqueId, year.grade, schoolYear, student.ability).map((course) => ({
      course,
      mark: courseMark(seed, student.studentUniqueId, student.ability, course.courseCode, `year ${schoolYear}`),
    })),
    creditShare: 1,
  }));
  const fall = fallTerm(district, student, schedule);
  if (fall) terms.push(fall);
  return terms;
}

/** The closed fall semester, for students enrolled on its last day in grade 6 or above. */
function fallTerm(district: DistrictPlan, student: StudentPlan, schedule: readonly ScheduledCourse[]): TermRecord | undefined {
  const fallEnd = sessionByKey('fall').endDate;
  const finished = schedule.filter((scheduled) => scheduled.session.key === 'fall' && scheduled.endDate === fallEnd);
  const first = finished[0];
  if (first === undefined || first.enrollment.grade < FIRST_TRANSCRIPT_GRADE) return undefined;
  return {
    schoolYear: CURRENT_SCHOOL_YEAR,
    term: TERM['Fall Semester'],
    grade: first.enrollment.grade,
    schoolId: schoolAt(district, first.enrollment.schoolIndex).schoolId,
    courses: finished.map(({ course }) => ({ course, mark: fallSemesterMark(district, student, course.courseCode) })),
    creditShare: 0.5,
  };
}

function sessionTotals(term: TermRecord): Totals {
  let attempted = 0;
  let earned = 0;
  for (const { course, mark } of term.courses) {
    attempted += course.credits * term.creditShare;
    if (mark.percent >= PASSING_PERCENT) earned += course.credits * term.creditShare;
  }
  return { attempted, earned, marks: term.courses.map(({ mark }) => mark) };
}

function academicRecord(student: StudentPlan, term: TermRecord, session: Totals, cumulative: Totals): Record<string, unknown> {
  const highSchool = term.grade >= 9;
  const gpa = highSchool ? gradePointAverage(cumulative.marks) : gradePointAverage(session.marks);
  return {
    educationOrganizationReference: educationOrganizationReference(term.schoolId),
    schoolYearTypeReference: schoolYearTypeReference(term.schoolYear),
    studentReference: studentReference(student.studentUniqueId),
    termDescriptor: term.term,
    ...(highSchool
      ? {
          sessionAttemptedCredits: roundTo(session.attempted, 2),
          sessionEarnedCredits: roundTo(session.earned, 2),
          sessionAttemptedCreditTypeDescriptor: CREDIT_TYPE['Carnegie unit'],
          sessionEarnedCreditTypeDescriptor: CREDIT_TYPE['Carnegie unit'],
          cumulativeAttemptedCredits: roundTo(cumulative.attempted, 2),
          cumulativeEarnedCredits: roundTo(cumulative.earned, 2),
          cumulativeAttemptedCreditTypeDescriptor: CREDIT_TYPE['Carnegie unit'],
          cumulativeEarnedCreditTypeDescriptor: CREDIT_TYPE['Carnegie unit'],
          projectedGraduationDate: `${CURRENT_SCHOOL_YEAR + 12 - student.grade}-05-30`,
        }
      : {}),
    gradePointAverages: [
      {
        gradePointAverageTypeDescriptor: GRADE_POINT_AVERAGE_TYPE.Unweighted,
        gradePointAverageValue: gpa,
        isCumulative: highSchool,
        maxGradePointAverageValue: 4,
      },
    ],
  };
}

function courseTranscript(district: DistrictPlan, student: StudentPlan, term: TermRecord, course: CourseDefinition, mark: Mark): Record<string, unknown> {
  const passed = mark.percent >= PASSING_PERCENT;
  const credits = course.credits * term.creditShare;
  return {
    courseAttemptResultDescriptor: passed ? COURSE_ATTEMPT_RESULT.Pass : COURSE_ATTEMPT_RESULT.Fail,
    courseReference: courseReference(district.localEducationAgencyId, course.courseCode),
    studentAcademicRecordReference: studentAcademicRecordReference(term.schoolId, term.schoolYear, student.studentUniqueId, term.term),
    courseTitle: course.title,
    finalLetterGradeEarned: mark.letter,
    finalNumericGradeEarned: mark.percent,
    whenTakenGradeLevelDescriptor: gradeLevelUri(term.grade),
    ...(credits > 0
      ? {
          attemptedCredits: credits,
          attemptedCreditTypeDescriptor: CREDIT_TYPE['Carnegie unit'],
          earnedCredits: passed ? credits : 0,
          earnedCreditTypeDescriptor: CREDIT_TYPE['Carnegie unit'],
          methodCreditEarnedDescriptor: METHOD_CREDIT_EARNED['Classroom credit'],
        }
      : {}),
  };
}
