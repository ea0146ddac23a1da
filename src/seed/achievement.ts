/**
 * How well a student does in a course. One function of (student, course,
 * period) gives every percentage grade, so quarter grades, report cards,
 * section attempt results and transcript finals agree with each other.
 */
import { hashParts } from './random.js';

/** A graded result: percentage, letter and grade points on a 4-point scale. */
export interface Mark {
  readonly percent: number;
  readonly letter: string;
  readonly points: number;
}

/** Percent at or above which a course is passed. */
export const PASSING_PERCENT = 60;

/** The student's mark in a course for one grading period or year (the `period` label). */
export function courseMark(seed: number, studentUniqueId: string, ability: number, courseCode: string, period: string): Mark {
  const noise = (hashParts(seed, studentUniqueId, courseCode, period) % 21) - 10;
  return markOf(Math.max(35, Math.min(100, ability + noise)));
}

/** The mark for a percentage (US letter scale: 90 A, 80 B, 70 C, 60 D). */
export function markOf(percent: number): Mark {
  const rounded = Math.round(percent);
  if (rounded >= 90) return { percent: rounded, letter: rounded >= 97 ? 'A+' : 'A', points: 4 };
  if (rounded >= 80) return { percent: rounded, letter: 'B', points: 3 };
  if (rounded >= 70) return { percent: rounded, letter: 'C', points: 2 };
  if (rounded >= PASSING_PERCENT) return { percent: rounded, letter: 'D', points: 1 };
  return { percent: rounded, letter: 'F', points: 0 };
}

/** Mean grade points, to two decimals. */
export function gradePointAverage(marks: readonly Mark[]): number {
  if (marks.length === 0) return 0;
  return roundTo(marks.reduce((sum, mark) => sum + mark.points, 0) / marks.length, 2);
}

/** Rounds to a number of decimals. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
