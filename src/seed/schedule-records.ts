/**
 * The current year's schedule and its results: studentSectionAssociations,
 * grading-period grades for the closed quarters, and one report card per
 * school and grading period that lists those grades with GPA and attendance.
 */
import { courseMark, gradePointAverage, markOf, PASSING_PERCENT, type Mark } from './achievement.js';
import { isAbsence, type AttendanceEvent } from './attendance-records.js';
import { ATTEMPT_STATUS, GRADE_POINT_AVERAGE_TYPE, GRADE_TYPE } from './descriptors.js';
import { schoolAt, type DistrictPlan } from './district-plan.js';
import type { StudentPlan } from './family-plan.js';
import {
  educationOrganizationReference,
  gradeReference,
  gradingPeriodReference,
  sectionReference,
  studentReference,
  studentSectionAssociationReference,
  type SectionKey,
} from './references.js';
import { scheduleOf, sectionIdentifier, type ScheduledCourse, type SectionRoster } from './section-roster.js';
import { AS_OF_DATE, GRADING_PERIODS, schoolDays, type GradingPeriodDefinition } from './school-calendar.js';
import { edfi, type SyntheticRecord } from './synthetic-record.js';

/** A scheduled course with the section the roster placed the student in. */
export interface PlacedCourse {
  readonly scheduled: ScheduledCourse;
  readonly section: SectionKey;
}

/** Places the student's schedule in sections (second pass of the roster). */
export function placeSchedule(district: DistrictPlan, roster: SectionRoster, student: StudentPlan): PlacedCourse[] {
  return scheduleOf(district.options.seed, student).map((scheduled) => {
    const schoolId = schoolAt(district, scheduled.enrollment.schoolIndex).schoolId;
    const number = roster.place(scheduled);
    const section: SectionKey = {
      schoolId,
      session: scheduled.session,
      localCourseCode: scheduled.course.courseCode,
      sectionIdentifier: sectionIdentifier(schoolId, scheduled.course.courseCode, scheduled.session.key, number),
    };
    return { scheduled, section };
  });
}

/** studentSectionAssociations for every placed course. */
export function* sectionAssociationRecords(district: DistrictPlan, student: StudentPlan, placed: readonly PlacedCourse[]): Generator<SyntheticRecord> {
  let previousKey = '';
  for (const { scheduled, section } of placed) {
    const enrollmentKey = `${scheduled.enrollment.schoolIndex}|${scheduled.session.key}|${scheduled.beginDate}`;
    const homeroom = enrollmentKey !== previousKey;
    previousKey = enrollmentKey;
    yield edfi('studentSectionAssociations', {
      beginDate: scheduled.beginDate,
      sectionReference: sectionReference(section),
      studentReference: studentReference(student.studentUniqueId),
      endDate: scheduled.endDate,
      homeroomIndicator: homeroom,
      ...attemptStatus(district, student, scheduled),
    });
  }
}

/** Grades of the closed grading periods, then one report card per school and period. */
export function* gradeRecords(
  district: DistrictPlan,
  student: StudentPlan,
  placed: readonly PlacedCourse[],
  attendance: readonly AttendanceEvent[],
): Generator<SyntheticRecord> {
  const cards = new Map<string, ReportCardDraft>();
  for (const { scheduled, section } of placed) {
    for (const period of gradedPeriods(scheduled)) {
      const mark = courseMark(district.options.seed, student.studentUniqueId, student.ability, section.localCourseCode, period.name);
      yield edfi('grades', gradeDocument(student, scheduled, section, period, mark));
      const key = `${scheduled.enrollment.schoolIndex}|${period.name}`;
      const card = cards.get(key) ?? { scheduled, period, schoolId: section.schoolId, grades: [], marks: [] };
      card.grades.push(gradeReference(section, student.studentUniqueId, scheduled.beginDate, period, GRADE_TYPE['Grading Period']));
      card.marks.push(mark);
      cards.set(key, card);
    }
  }
  for (const card of cards.values()) yield edfi('reportCards', reportCardDocument(student, card, attendance));
}

/** The mark a student earned for a full fall course: the mean of its quarter marks. */
export function fallSemesterMark(district: DistrictPlan, student: StudentPlan, courseCode: string): Mark {
  const quarters = GRADING_PERIODS.filter((period) => period.session === 'fall').map((period) =>
    courseMark(district.options.seed, student.studentUniqueId, student.ability, courseCode, period.name),
  );
  const percent = quarters.reduce((sum, mark) => sum + mark.percent, 0) / Math.max(quarters.length, 1);
  return markOf(percent);
}

interface ReportCardDraft {
  readonly scheduled: ScheduledCourse;
  readonly period: GradingPeriodDefinition;
  readonly schoolId: number;
  readonly grades: Record<string, unknown>[];
  readonly marks: Mark[];
}

/**
 * The closed grading periods of a scheduled course in which the student was
 * enrolled on the period's last day (a student who left earlier gets no mark).
 */
function gradedPeriods(scheduled: ScheduledCourse): GradingPeriodDefinition[] {
  return GRADING_PERIODS.filter(
    (period) =>
      period.session === scheduled.session.key &&
      period.endDate < AS_OF_DATE &&
      scheduled.beginDate <= period.endDate &&
      scheduled.endDate >= period.endDate,
  );
}

function gradeDocument(
  student: StudentPlan,
  scheduled: ScheduledCourse,
  section: SectionKey,
  period: GradingPeriodDefinition,
  mark: Mark,
): Record<string, unknown> {
  return {
    gradeTypeDescriptor: GRADE_TYPE['Grading Period'],
    gradingPeriodReference: gradingPeriodReference(section.schoolId, period),
    studentSectionAssociationReference: studentSectionAssociationReference(section, student.studentUniqueId, scheduled.beginDate),
    letterGradeEarned: mark.letter,
    numericGradeEarned: mark.percent,
    ...(mark.percent < 70 ? { diagnosticStatement: 'Missing assignments; a parent conference is recommended.' } : {}),
  };
}

function reportCardDocument(student: StudentPlan, card: ReportCardDraft, attendance: readonly AttendanceEvent[]): Record<string, unknown> {
  const { period, scheduled } = card;
  const inPeriod = attendance.filter(
    (event) => event.schoolIndex === scheduled.enrollment.schoolIndex && event.date >= period.beginDate && event.date <= period.endDate,
  );
  const absent = inPeriod.filter(isAbsence).length;
  const enrolledFrom = scheduled.beginDate > period.beginDate ? scheduled.beginDate : period.beginDate;
  const enrolledDays = schoolDays(enrolledFrom, period.endDate).length;
  return {
    educationOrganizationReference: educationOrganizationReference(card.schoolId),
    gradingPeriodReference: gradingPeriodReference(card.schoolId, period),
    studentReference: studentReference(student.studentUniqueId),
    grades: card.grades.map((grade) => ({ gradeReference: grade })),
    gradePointAverages: [
      {
        gradePointAverageTypeDescriptor: GRADE_POINT_AVERAGE_TYPE.Unweighted,
        gradePointAverageValue: gradePointAverage(card.marks),
        isCumulative: false,
        maxGradePointAverageValue: 4,
      },
    ],
    numberOfDaysAbsent: absent,
    numberOfDaysInAttendance: Math.max(0, enrolledDays - absent),
    numberOfDaysTardy: inPeriod.filter((event) => event.category === 'Tardy').length,
  };
}

/** Attempt result of a finished fall section, from the semester mark. */
function attemptStatus(district: DistrictPlan, student: StudentPlan, scheduled: ScheduledCourse): Record<string, unknown> {
  if (scheduled.session.key !== 'fall' || scheduled.endDate !== scheduled.session.endDate) return {};
  const mark = fallSemesterMark(district, student, scheduled.course.courseCode);
  return { attemptStatusDescriptor: mark.percent >= PASSING_PERCENT ? ATTEMPT_STATUS.Pass : ATTEMPT_STATUS.Fail };
}
