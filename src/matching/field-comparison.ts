import { editDistance } from './edit-distance.js';
import { isNickname } from './nicknames.js';

/** How a candidate's field relates to the request's, beyond plain equality. */
export type DifferenceKind =
  | 'nickname'
  | 'initial'
  | 'spelling'
  | 'hyphen-part'
  | 'day-month-transposed'
  | 'digits-transposed'
  | 'one-digit'
  | 'year-differs'
  | 'missing'
  | 'differs';

/** A field comparison: equal, or different in a described way, with the share of the field's weight it keeps. */
export type Comparison = { kind: 'equal' } | { kind: DifferenceKind; credit: number };

const EQUAL: Comparison = { kind: 'equal' };
const differs = (kind: DifferenceKind, credit: number): Comparison => ({ kind, credit });

/**
 * Whether two normalized middle names are compatible (seeds/001: "exact match
 * or first initial match"). Absent on either side: compatible. Both given:
 * equal, or one side is only initials ("m", "m a") that begin the other
 * side's words ("mary", "mary ann"). Two different full middle names are not
 * compatible even when their first letters agree (Marie / Michelle): an
 * initial stands for an unknown name, a full name does not, and the
 * exchange never guesses (DESIGN §6.4).
 */
export function middleNamesCompatible(a: string, b: string): boolean {
  if (a === '' || b === '' || a === b) return true;
  const wordsA = a.split(' ');
  const wordsB = b.split(' ');
  if (wordsA.every((w) => w.length === 1)) return initialsBegin(wordsA, wordsB);
  if (wordsB.every((w) => w.length === 1)) return initialsBegin(wordsB, wordsA);
  return false;
}

function initialsBegin(initials: string[], words: string[]): boolean {
  return initials.length <= words.length && initials.every((initial, i) => words[i]!.startsWith(initial));
}

/** Compares two normalized first names. */
export function compareFirstName(a: string, b: string): Comparison {
  if (a === b) return EQUAL;
  if (a === '' || b === '') return differs('missing', 0);
  if (isNickname(a, b)) return differs('nickname', 0.7);
  if ((a.length === 1 && b.startsWith(a)) || (b.length === 1 && a.startsWith(b))) return differs('initial', 0.5);
  if (closeSpelling(a, b)) return differs('spelling', 0.6);
  return differs('differs', 0);
}

/** Compares two normalized last names; a double surname sharing a part with the other is a "hyphen part" match. */
export function compareLastName(a: string, b: string): Comparison {
  if (a === b) return EQUAL;
  if (a === '' || b === '') return differs('missing', 0);
  const partsA = a.split(' ');
  const partsB = b.split(' ');
  if (partsA.some((part) => part.length > 1 && partsB.includes(part))) return differs('hyphen-part', 0.7);
  if (a.replace(/ /g, '') === b.replace(/ /g, '')) return differs('spelling', 0.9);
  if (closeSpelling(a, b)) return differs('spelling', 0.6);
  return differs('differs', 0);
}

/** Compares two normalized middle names. */
export function compareMiddleName(a: string, b: string): Comparison {
  if (middleNamesCompatible(a, b)) return EQUAL;
  if (closeSpelling(a, b)) return differs('spelling', 0.6);
  return differs('differs', 0);
}

/** Compares two normalized (YYYY-MM-DD) birth dates and names the likely data-entry slip. */
export function compareBirthDate(a: string, b: string): Comparison {
  if (a === b) return EQUAL;
  if (a === '' || b === '') return differs('missing', 0);
  const [yearA, monthA, dayA] = a.split('-');
  const [yearB, monthB, dayB] = b.split('-');
  if (yearA === yearB && monthA === dayB && dayA === monthB) return differs('day-month-transposed', 0.8);
  const digitsA = a.replace(/-/g, '');
  const digitsB = b.replace(/-/g, '');
  if (isAdjacentSwap(digitsA, digitsB)) return differs('digits-transposed', 0.7);
  if (hammingDistance(digitsA, digitsB) === 1) return differs('one-digit', 0.7);
  if (monthA === monthB && dayA === dayB) return differs('year-differs', 0.4);
  return differs('differs', 0);
}

/** Compares two normalized genders. */
export function compareGender(a: string, b: string): Comparison {
  if (a === b) return EQUAL;
  return differs(a === '' || b === '' ? 'missing' : 'differs', 0);
}

/** Compares two normalized SSNs; callers only ask when both sides have one. */
export function compareSsn(a: string, b: string): Comparison {
  if (a === b) return EQUAL;
  if (isAdjacentSwap(a, b)) return differs('digits-transposed', 0.5);
  if (hammingDistance(a, b) === 1) return differs('one-digit', 0.5);
  return differs('differs', 0);
}

/** A typo-sized difference: one edit for short names, two for longer ones. */
function closeSpelling(a: string, b: string): boolean {
  const allowed = Math.min(a.length, b.length) >= 6 ? 2 : 1;
  return Math.min(a.length, b.length) >= 3 && editDistance(a, b, allowed) <= allowed;
}

function hammingDistance(a: string, b: string): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) count++;
  return count;
}

function isAdjacentSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const at = [...a].findIndex((ch, i) => ch !== b[i]);
  return at >= 0 && at + 1 < a.length && a[at] === b[at + 1] && a[at + 1] === b[at] && a.slice(at + 2) === b.slice(at + 2);
}
