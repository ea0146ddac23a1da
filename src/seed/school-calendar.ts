/**
 * The fixed school calendar of the synthetic district. Every date is derived
 * from the 2025-2026 school year and a fixed "today", never from the clock,
 * so the generated district does not change from one day to the next.
 */
import { GRADING_PERIOD, TERM, type DescriptorUri } from './descriptors.js';

/** Ed-Fi names a school year by the calendar year in which it ends: 2026 is 2025-2026. */
export const CURRENT_SCHOOL_YEAR = 2026;

/** The day the district's data describes: mid third quarter, after the fall semester closed. */
export const AS_OF_DATE = '2026-02-13';

/** One semester session of the current school year. */
export interface SessionDefinition {
  readonly key: 'fall' | 'spring';
  readonly sessionName: string;
  readonly termDescriptor: DescriptorUri;
  readonly beginDate: string;
  readonly endDate: string;
}

/** One grading period of the current school year. */
export interface GradingPeriodDefinition {
  readonly descriptor: DescriptorUri;
  readonly name: string;
  readonly session: 'fall' | 'spring';
  readonly sequence: number;
  readonly beginDate: string;
  readonly endDate: string;
}

/** The two semesters of the current school year. */
export const SESSIONS: readonly SessionDefinition[] = [
  {
    key: 'fall',
    sessionName: '2025-2026 Fall Semester',
    termDescriptor: TERM['Fall Semester'],
    beginDate: '2025-08-13',
    endDate: '2025-12-19',
  },
  {
    key: 'spring',
    sessionName: '2025-2026 Spring Semester',
    termDescriptor: TERM['Spring Semester'],
    beginDate: '2026-01-06',
    endDate: '2026-05-28',
  },
];

/** The four nine-week grading periods of the current school year. */
export const GRADING_PERIODS: readonly GradingPeriodDefinition[] = [
  gradingPeriod('First Nine Weeks', 'fall', 1, '2025-08-13', '2025-10-10'),
  gradingPeriod('Second Nine Weeks', 'fall', 2, '2025-10-20', '2025-12-19'),
  gradingPeriod('Third Nine Weeks', 'spring', 3, '2026-01-06', '2026-03-13'),
  gradingPeriod('Fourth Nine Weeks', 'spring', 4, '2026-03-23', '2026-05-28'),
];

/** Days without school in 2025-2026: Labor Day, fall break, Thanksgiving, winter break, MLK Day, Presidents Day. */
const HOLIDAYS = new Set<string>([
  '2025-09-01',
  ...dateRange('2025-10-13', '2025-10-17'),
  ...dateRange('2025-11-24', '2025-11-28'),
  ...dateRange('2025-12-22', '2026-01-05'),
  '2026-01-19',
  '2026-02-16',
  ...dateRange('2026-03-16', '2026-03-20'),
]);


const YEAR_FIRST_DAY = '2025-08-13';
const YEAR_LAST_DAY = '2026-05-28';
/** Every instructional day of the current year, in order. */
const CURRENT_YEAR_SCHOOL_DAYS: readonly string[] = dateRange(YEAR_FIRST_DAY, YEAR_LAST_DAY).filter(isSchoolDay);

/** Adds days to a YYYY-MM-DD date (integer calendar arithmetic: the generator calls this millions of times). */
export function addDays(date: string, days: number): string {
  return dateOfDayNumber(dayNumber(date) + days);
}

/** Days since 1970-01-01 of a YYYY-MM-DD date (proleptic Gregorian; H. Hinnant's days_from_civil). */
function dayNumber(date: string): number {
  let year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  year -= month <= 2 ? 1 : 0;
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** The YYYY-MM-DD date of a day number (H. Hinnant's civil_from_days). */
function dateOfDayNumber(days: number): string {
  const shifted = days + 719468;
  const era = Math.floor(shifted / 146097);
  const dayOfEra = shifted - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

/** 0 = Sunday … 6 = Saturday. */
function weekdayOf(date: string): number {
  return (((dayNumber(date) + 4) % 7) + 7) % 7;
}

/** Every date from begin to end, both inclusive. */
export function dateRange(begin: string, end: string): string[] {
  const dates: string[] = [];
  for (let date = begin; date <= end; date = addDays(date, 1)) dates.push(date);
  return dates;
}

/** Instructional days (weekdays that are not holidays) from begin to end, both inclusive. */
export function schoolDays(begin: string, end: string): string[] {
  if (begin >= YEAR_FIRST_DAY && end <= YEAR_LAST_DAY) {
    return CURRENT_YEAR_SCHOOL_DAYS.slice(firstIndexFrom(begin), firstIndexFrom(addDays(end, 1)));
  }
  return dateRange(begin, end).filter(isSchoolDay);
}

/** Index of the first current-year school day on or after a date (binary search). */
function firstIndexFrom(date: string): number {
  let low = 0;
  let high = CURRENT_YEAR_SCHOOL_DAYS.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((CURRENT_YEAR_SCHOOL_DAYS[middle] ?? '') < date) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Whether the current school year holds classes on this date. */
export function isSchoolDay(date: string): boolean {
  const weekday = weekdayOf(date);
  return weekday !== 0 && weekday !== 6 && !HOLIDAYS.has(date);
}

/** The session of the current year that contains a date, if any. */
export function sessionOn(date: string): SessionDefinition | undefined {
  return SESSIONS.find((session) => session.beginDate <= date && date <= session.endDate);
}

/** The session definition for a key. */
export function sessionByKey(key: 'fall' | 'spring'): SessionDefinition {
  const session = SESSIONS.find((candidate) => candidate.key === key);
  if (session === undefined) throw new Error(`no session ${key}`);
  return session;
}

/** First and last instructional day of a school year. */
export interface SchoolYearBounds {
  readonly beginDate: string;
  readonly endDate: string;
}

const boundsByYear = new Map<number, SchoolYearBounds>();

/** First and last instructional day of any school year (Ed-Fi numbering: 2025 is 2024-2025). */
export function schoolYearBounds(schoolYear: number): SchoolYearBounds {
  let bounds = boundsByYear.get(schoolYear);
  if (bounds === undefined) {
    bounds =
      schoolYear === CURRENT_SCHOOL_YEAR
        ? { beginDate: SESSIONS[0]?.beginDate ?? '', endDate: SESSIONS[1]?.endDate ?? '' }
        : { beginDate: nextWeekday(`${schoolYear - 1}-08-14`), endDate: previousWeekday(`${schoolYear}-05-28`) };
    boundsByYear.set(schoolYear, bounds);
  }
  return bounds;
}

/** "2024-2025" for school year 2025. */
export function schoolYearLabel(schoolYear: number): string {
  return `${schoolYear - 1}-${schoolYear}`;
}

function gradingPeriod(
  name: keyof typeof GRADING_PERIOD,
  session: 'fall' | 'spring',
  sequence: number,
  beginDate: string,
  endDate: string,
): GradingPeriodDefinition {
  return { descriptor: GRADING_PERIOD[name], name, session, sequence, beginDate, endDate };
}

function nextWeekday(date: string): string {
  let day = date;
  while ([0, 6].includes(weekdayOf(day))) day = addDays(day, 1);
  return day;
}

function previousWeekday(date: string): string {
  let day = date;
  while ([0, 6].includes(weekdayOf(day))) day = addDays(day, -1);
  return day;
}
