/**
 * Daily attendance exceptions of the current year: absences (excused and
 * unexcused), tardies and early departures, recorded as
 * studentSchoolAttendanceEvents at the school where the student was enrolled
 * that day. Most students have a few; about one in sixteen is chronically absent.
 */
import { ATTENDANCE_EVENT_CATEGORY, EDUCATIONAL_ENVIRONMENT } from './descriptors.js';
import { schoolAt, type DistrictPlan } from './district-plan.js';
import type { StudentPlan } from './family-plan.js';
import { deriveRandom, type Random } from './random.js';
import { schoolReference, sessionReference, studentReference } from './references.js';
import { AS_OF_DATE, CURRENT_SCHOOL_YEAR, addDays, schoolDays, sessionOn } from './school-calendar.js';
import { edfi, type SyntheticRecord } from './synthetic-record.js';

/** The kind of an attendance event. */
export type AttendanceCategory = keyof typeof ATTENDANCE_EVENT_CATEGORY;

/** One attendance exception. */
export interface AttendanceEvent {
  readonly date: string;
  readonly category: AttendanceCategory;
  readonly schoolIndex: number;
  readonly reason?: string;
  readonly arrivalTime?: string;
  readonly departureTime?: string;
}

const YEAR_DAYS = schoolDays('2025-08-13', addDays(AS_OF_DATE, -1));
const CATEGORIES: readonly AttendanceCategory[] = ['Excused Absence', 'Unexcused Absence', 'Tardy', 'Early departure'];
const CATEGORY_WEIGHTS = [45, 20, 28, 7];
const EXCUSES = ['Illness', 'Medical appointment', 'Dental appointment', 'Family emergency', 'Religious observance', 'Bereavement'];

/** The student's attendance exceptions, in date order. */
export function attendanceEventsOf(district: DistrictPlan, student: StudentPlan): AttendanceEvent[] {
  const random = deriveRandom(district.options.seed, 'attendance', student.index);
  const chronic = random.chance(0.06);
  const events: AttendanceEvent[] = [];
  for (const enrollment of student.enrollments) {
    if (enrollment.schoolYear !== CURRENT_SCHOOL_YEAR) continue;
    const days = YEAR_DAYS.filter((day) => day >= enrollment.entryDate && (enrollment.exitDate === undefined || day <= enrollment.exitDate));
    const wanted = Math.min(days.length, eventCount(random, chronic, days.length));
    for (const date of distinctDays(random, days, wanted)) {
      events.push(attendanceEvent(random, date, enrollment.schoolIndex, chronic));
    }
  }
  return events.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** The attendance events as Ed-Fi documents. */
export function* attendanceRecords(district: DistrictPlan, student: StudentPlan, events: readonly AttendanceEvent[]): Generator<SyntheticRecord> {
  for (const event of events) {
    const session = sessionOn(event.date);
    if (session === undefined) continue;
    const schoolId = schoolAt(district, event.schoolIndex).schoolId;
    yield edfi('studentSchoolAttendanceEvents', {
      attendanceEventCategoryDescriptor: ATTENDANCE_EVENT_CATEGORY[event.category],
      eventDate: event.date,
      schoolReference: schoolReference(schoolId),
      sessionReference: sessionReference(schoolId, session),
      studentReference: studentReference(student.studentUniqueId),
      ...(event.reason ? { attendanceEventReason: event.reason } : {}),
      ...(event.arrivalTime ? { arrivalTime: event.arrivalTime } : {}),
      ...(event.departureTime ? { departureTime: event.departureTime } : {}),
      educationalEnvironmentDescriptor: EDUCATIONAL_ENVIRONMENT.Classroom,
    });
  }
}

/** Whether an event is a full-day absence. */
export function isAbsence(event: AttendanceEvent): boolean {
  return event.category === 'Excused Absence' || event.category === 'Unexcused Absence';
}

function eventCount(random: Random, chronic: boolean, enrolledDays: number): number {
  const scale = enrolledDays / YEAR_DAYS.length;
  const base = chronic ? random.int(14, 26) : random.weighted([0, 1, 2, 3, 4, 5, 6, 8], [14, 18, 18, 15, 12, 9, 8, 6]);
  return Math.round(base * scale);
}

function distinctDays(random: Random, days: readonly string[], count: number): string[] {
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(random.pick(days));
  return [...chosen];
}

function attendanceEvent(random: Random, date: string, schoolIndex: number, chronic: boolean): AttendanceEvent {
  const category = chronic ? random.weighted(CATEGORIES, [30, 50, 15, 5]) : random.weighted(CATEGORIES, CATEGORY_WEIGHTS);
  switch (category) {
    case 'Excused Absence':
      return { date, category, schoolIndex, reason: random.pick(EXCUSES) };
    case 'Tardy':
      return { date, category, schoolIndex, arrivalTime: `08:${String(random.int(6, 45)).padStart(2, '0')}:00` };
    case 'Early departure':
      return { date, category, schoolIndex, reason: random.pick(['Illness', 'Medical appointment', 'Family event']), departureTime: `${random.int(11, 14)}:${random.pick(['00', '15', '30', '45'])}:00` };
    default:
      return { date, category, schoolIndex };
  }
}
