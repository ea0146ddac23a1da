/**
 * Normalization of the demographic fields the national transfer matches on
 * (DESIGN §6.4, seeds/001 "Student Matching Logic"). Two districts type the
 * same name differently — case, accents, curly or straight apostrophes,
 * hyphens or en dashes, stray spaces — so every comparison runs on these
 * normalized forms, and the exact-match key is built from them too.
 */

/** Letters that Unicode decomposition leaves whole but that districts commonly type without the stroke or ligature. */
const FOLDED_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};
const FOLDED_PATTERN = new RegExp(`[${Object.keys(FOLDED_LETTERS).join('')}]`, 'g');

/** Combining marks left by NFKD decomposition (the accents of José, Zoë, Nguyễn). */
const COMBINING_MARKS = /\p{M}+/gu;

/**
 * Apostrophe-like characters: ' ’ ‘ ʼ ʻ ` ´ ′ and the fullwidth apostrophe.
 * They are removed, so O'Brien, O’Brien and OBrien compare equal: SIS
 * products differ in whether they accept an apostrophe at all.
 */
const APOSTROPHES = /['\u2018\u2019\u201B\u02BC\u02BB`\u00B4\u2032\uFF07]/g;

/**
 * Hyphen and dash variants: - ‐ ‑ ‒ – — ― − ﹘ ﹣ －. They become a space,
 * so Smith-Jones, Smith–Jones, "Smith - Jones" and "Smith Jones" compare
 * equal (some SIS products store a double surname with a space).
 */
const DASHES = /[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63\uFF0D]/g;

/** Anything else that is not a letter, a digit or white space (periods of initials, commas). */
const OTHER_PUNCTUATION = /[^\p{L}\p{N}\s]/gu;
const WHITE_SPACE = /\s+/g;
const PLAIN_WORD = /^[A-Za-z]+$/;

/**
 * The comparable form of a name: lower case, accents stripped (NFKD, then
 * combining marks removed), apostrophes removed, hyphens and dashes turned
 * into spaces, other punctuation removed, white space collapsed and trimmed.
 * `normalizeName("  O’Brien–Smith ")` is `"obrien smith"`; `"José"` is `"jose"`.
 */
export function normalizeName(name: string | null | undefined): string {
  if (!name) return '';
  // Most names are one plain ASCII word: skip the Unicode passes (matchKeyOf runs on every indexed student).
  if (PLAIN_WORD.test(name)) return name.toLowerCase();
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .replace(FOLDED_PATTERN, (letter) => FOLDED_LETTERS[letter] ?? letter)
    .replace(APOSTROPHES, '')
    .replace(DASHES, ' ')
    .replace(OTHER_PUNCTUATION, '')
    .replace(WHITE_SPACE, ' ')
    .trim();
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T.*)?$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/**
 * A birth date as `YYYY-MM-DD`, or `''` when it is not a real calendar date.
 * Ed-Fi sends ISO dates; US-style `MM/DD/YYYY` (as SIF-era systems and the
 * source documents print dates) is accepted too.
 */
export function normalizeBirthDate(value: string | null | undefined): string {
  const text = value?.trim() ?? '';
  const iso = ISO_DATE.exec(text);
  const us = iso ? null : US_DATE.exec(text);
  const parts = iso ? [iso[1], iso[2], iso[3]] : us ? [us[3], us[1], us[2]] : null;
  if (!parts) return '';
  const [year, month, day] = parts.map(Number) as [number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return '';
  return `${parts[0]}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Gender codes as SIF (M, F, U, X), Ed-Fi SexDescriptor code values and SIS screens write them. */
const GENDER_CODES: Readonly<Record<string, string>> = {
  f: 'female',
  female: 'female',
  m: 'male',
  male: 'male',
  x: 'non-binary',
  n: 'non-binary',
  nonbinary: 'non-binary',
  'non binary': 'non-binary',
  'not selected': 'not-selected',
  u: 'not-selected',
  unknown: 'not-selected',
};

/**
 * The comparable form of a gender: an Ed-Fi descriptor URI
 * (`uri://ed-fi.org/SexDescriptor#Female`) counts by its code value, and
 * codes and words for the same value (F, Female) are one value. An
 * unrecognised value is kept in its normalized spelling so it can still
 * match the same spelling on the other side.
 */
export function normalizeGender(value: string | null | undefined): string {
  if (!value) return '';
  const known = GENDER_CODES[value.toLowerCase()];
  if (known) return known;
  const hash = value.lastIndexOf('#');
  const code = normalizeName(hash >= 0 ? value.slice(hash + 1) : value);
  return GENDER_CODES[code] ?? code;
}

/**
 * An SSN as its nine digits, or `''` when it is not a usable SSN: not nine
 * digits, or a placeholder SIS products store for "unknown" (area 000 or
 * 666, group 00, serial 0000 — numbers the SSA never assigns). An unusable
 * SSN counts as absent, so it neither blocks nor confirms a match.
 */
export function normalizeSsn(value: string | null | undefined): string {
  const digits = (value ?? '').replace(/\D/g, '');
  if (digits.length !== 9) return '';
  const [area, group, serial] = [digits.slice(0, 3), digits.slice(3, 5), digits.slice(5)];
  return area === '000' || area === '666' || group === '00' || serial === '0000' ? '' : digits;
}
