/**
 * Class schedules of the current school year. A first pass counts how many
 * students take each course at each school and session; the sections are
 * sized from those counts (about 26 students each); the second pass hands
 * out places in order, so elementary students of one homeroom stay together
 * in all four subjects.
 */
import { coursesTaken, type CourseDefinition } from './course-catalog.js';
import type { EnrollmentPlan, StudentPlan } from './family-plan.js';
import { AS_OF_DATE, CURRENT_SCHOOL_YEAR, SESSIONS, type SessionDefinition } from './school-calendar.js';

/** Students per section the district aims for. */
export const SECTION_SIZE = 26;

/** One course a student is scheduled into for one session at one school. */
export interface ScheduledCourse {
  readonly enrollment: EnrollmentPlan;
  readonly session: SessionDefinition;
  readonly course: CourseDefinition;
  readonly beginDate: string;
  readonly endDate: string;
}

/** The student's schedule: every course of every current-year enrollment and session. */
export function scheduleOf(seed: number, student: StudentPlan): ScheduledCourse[] {
  const schedule: ScheduledCourse[] = [];
  for (const enrollment of student.enrollments) {
    if (enrollment.schoolYear !== CURRENT_SCHOOL_YEAR) continue;
    const courses = coursesTaken(seed, student.studentUniqueId, enrollment.grade, CURRENT_SCHOOL_YEAR, student.ability);
    for (const session of SESSIONS) {
      const beginDate = later(enrollment.entryDate, session.beginDate);
      const endDate = earlier(enrollment.exitDate ?? session.endDate, session.endDate);
      if (beginDate > endDate || beginDate > AS_OF_DATE) continue;
      for (const course of courses) schedule.push({ enrollment, session, course, beginDate, endDate });
    }
  }
  return schedule;
}

/** Section counts per school, session and course, then places handed out in order. */
export class SectionRoster {
  private readonly counts = new Map<string, number>();
  private readonly handedOut = new Map<string, number>();

  /** First pass: one more student in this course. */
  count(scheduled: ScheduledCourse): void {
    const key = rosterKey(scheduled.enrollment.schoolIndex, scheduled.session.key, scheduled.course.courseCode);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** How many sections a course has at a school in a session (at least one, even when empty). */
  sectionCount(schoolIndex: number, session: SessionDefinition['key'], courseCode: string): number {
    const students = this.counts.get(rosterKey(schoolIndex, session, courseCode)) ?? 0;
    return Math.max(1, Math.ceil(students / SECTION_SIZE));
  }

  /** Second pass: the section number (1-based) of the student's next place in this course. */
  place(scheduled: ScheduledCourse): number {
    const { schoolIndex } = scheduled.enrollment;
    const key = rosterKey(schoolIndex, scheduled.session.key, scheduled.course.courseCode);
    const position = this.handedOut.get(key) ?? 0;
    this.handedOut.set(key, position + 1);
    return (position % this.sectionCount(schoolIndex, scheduled.session.key, scheduled.course.courseCode)) + 1;
  }
}

/** The section identifier, unique within its course offering (and readable on a schedule printout). */
export function sectionIdentifier(schoolId: number, courseCode: string, session: SessionDefinition['key'], section: number): string {
  return `${schoolId}-${courseCode}-${session === 'fall' ? 'F' : 'S'}${String(section).padStart(2, '0')}`;
}

function rosterKey(schoolIndex: number, session: string, courseCode: string): string {
  return `${schoolIndex}|${session}|${courseCode}`;
}

function later(a: string, b: string): string {
  return a > b ? a : b;
}

function earlier(a: string, b: string): string {
  return a < b ? a : b;
}
