/**
 * Automatic student matching at the releasing district (DESIGN §6.4,
 * seeds/001 "Student Matching Logic"): exactly one candidate that meets
 * every rule is a match; none or several is a match error, and the exchange
 * never picks one. Near candidates are listed, with their differences, for
 * a person to choose from.
 */
import {
  keyOfNormalized,
  missingRequiredFields,
  normalizeDemographics,
  type MatchDemographics,
  type NormalizedDemographics,
  type RequiredField,
} from './demographics.js';
import {
  compareBirthDate,
  compareFirstName,
  compareGender,
  compareLastName,
  compareMiddleName,
  compareSsn,
  middleNamesCompatible,
  type Comparison,
  type DifferenceKind,
} from './field-comparison.js';

/** A local student offered to the matcher: its id and its demographics. */
export interface MatchCandidate {
  readonly studentId: string;
  readonly demographics: MatchDemographics;
}

/** A field that matching compares. */
export type MatchField = 'firstName' | 'middleName' | 'lastSurname' | 'birthDate' | 'gender' | 'ssn';

/** How one field of a near candidate differs from the request, in words a registrar reads. */
export interface FieldDifference {
  readonly field: MatchField;
  readonly kind: DifferenceKind;
  /** The request's value as sent (an SSN is masked to its last four digits). */
  readonly request: string;
  /** The candidate's value as stored (an SSN is masked to its last four digits). */
  readonly candidate: string;
  readonly note: string;
}

/** A student who does not match exactly but may be the one asked for; a person must choose. */
export interface NearCandidate<C extends MatchCandidate = MatchCandidate> {
  readonly student: C;
  /** 0–1: the share of the field weights the candidate keeps. */
  readonly score: number;
  readonly differences: FieldDifference[];
}

/** The outcome of automatic matching. Only `matched` may lead to a release without a person choosing the student. */
export type MatchDecision<C extends MatchCandidate = MatchCandidate> =
  | { kind: 'matched'; student: C }
  | { kind: 'no-match'; near: NearCandidate<C>[] }
  | { kind: 'multiple'; candidates: C[] }
  | { kind: 'invalid-request'; missing: RequiredField[] };

/** The error report a releasing district may send back when matching fails. */
export interface MatchErrorReport {
  readonly code: 'exact-match-not-found' | 'multiple-students-match' | 'invalid-request';
  readonly message: string;
}

/** How much each field counts when scoring near candidates; SSN counts only when both sides have one. */
const WEIGHTS: Readonly<Record<MatchField, number>> = {
  lastSurname: 25,
  firstName: 25,
  birthDate: 25,
  gender: 10,
  middleName: 5,
  ssn: 10,
};

/** Near candidates must keep at least this share of the weights: one required field may be off, not two. */
const NEAR_THRESHOLD = 0.75;
/** Enough choices for a person; more would be noise. */
const NEAR_LIMIT = 10;

const FIELD_LABELS: Readonly<Record<MatchField, string>> = {
  firstName: 'first name',
  middleName: 'middle name',
  lastSurname: 'last name',
  birthDate: 'birth date',
  gender: 'gender',
  ssn: 'SSN',
};

const KIND_LABELS: Readonly<Record<DifferenceKind, string>> = {
  nickname: 'a nickname of the other',
  initial: 'an initial on one side',
  spelling: 'spelled differently',
  'hyphen-part': 'one part of a double surname',
  'day-month-transposed': 'day and month transposed',
  'digits-transposed': 'two digits transposed',
  'one-digit': 'one digit differs',
  'year-differs': 'same day and month, different year',
  missing: 'missing on one side',
  differs: 'differs',
};

/**
 * Whether a candidate meets every exact-match rule: required fields present
 * and equal, middle names compatible (exact or initial), SSN equal when
 * both sides have one (ignored when either side lacks it).
 */
export function isExactMatch(request: NormalizedDemographics, candidate: NormalizedDemographics): boolean {
  return (
    missingRequiredFields(candidate).length === 0 &&
    keyOfNormalized(request) === keyOfNormalized(candidate) &&
    middleNamesCompatible(request.middleName, candidate.middleName) &&
    (request.ssn === '' || candidate.ssn === '' || request.ssn === candidate.ssn)
  );
}

/**
 * Decides a request against candidate students (usually those found under
 * the request's `matchKeyOf` key, plus any wider pool for suggestions).
 * One exact match: `matched`. Several: `multiple`, never a pick. None:
 * `no-match` with the near candidates among `candidates`. A request lacking
 * a required field cannot be matched at all: `invalid-request`.
 */
export function decideMatch<C extends MatchCandidate>(request: MatchDemographics, candidates: readonly C[]): MatchDecision<C> {
  const wanted = normalizeDemographics(request);
  const missing = missingRequiredFields(wanted);
  if (missing.length > 0) return { kind: 'invalid-request', missing };
  const exact = candidates.filter((c) => isExactMatch(wanted, normalizeDemographics(c.demographics)));
  if (exact.length === 1) return { kind: 'matched', student: exact[0]! };
  if (exact.length > 1) return { kind: 'multiple', candidates: exact };
  return { kind: 'no-match', near: nearCandidates(request, candidates) };
}

/**
 * The students of `pool` that resemble the request without matching it
 * exactly, best first, each with the fields that differ and how (birth date
 * with day and month transposed, first name a nickname or an initial, one
 * part of a double surname, …). For a person to choose from; never a basis
 * for releasing records on its own.
 */
export function nearCandidates<C extends MatchCandidate>(request: MatchDemographics, pool: readonly C[]): NearCandidate<C>[] {
  const wanted = normalizeDemographics(request);
  const near: NearCandidate<C>[] = [];
  for (const student of pool) {
    const scored = scoreCandidate(request, wanted, student);
    if (scored && scored.score >= NEAR_THRESHOLD) near.push(scored);
  }
  return near.sort((a, b) => b.score - a.score || a.student.studentId.localeCompare(b.student.studentId)).slice(0, NEAR_LIMIT);
}

function scoreCandidate<C extends MatchCandidate>(request: MatchDemographics, wanted: NormalizedDemographics, student: C): NearCandidate<C> | undefined {
  const found = normalizeDemographics(student.demographics);
  if (isExactMatch(wanted, found)) return undefined;
  const comparisons: [MatchField, Comparison][] = [
    ['lastSurname', compareLastName(wanted.lastSurname, found.lastSurname)],
    ['firstName', compareFirstName(wanted.firstName, found.firstName)],
    ['birthDate', compareBirthDate(wanted.birthDate, found.birthDate)],
    ['gender', compareGender(wanted.gender, found.gender)],
    ['middleName', compareMiddleName(wanted.middleName, found.middleName)],
  ];
  if (wanted.ssn !== '' && found.ssn !== '') comparisons.push(['ssn', compareSsn(wanted.ssn, found.ssn)]);
  let kept = 0;
  let total = 0;
  const differences: FieldDifference[] = [];
  for (const [field, comparison] of comparisons) {
    total += WEIGHTS[field];
    if (comparison.kind === 'equal') {
      kept += WEIGHTS[field];
      continue;
    }
    kept += WEIGHTS[field] * comparison.credit;
    differences.push(describe(field, comparison.kind, request[field], student.demographics[field]));
  }
  return { student, score: Math.round((kept / total) * 1000) / 1000, differences };
}

function describe(field: MatchField, kind: DifferenceKind, requested: string | undefined, stored: string | undefined): FieldDifference {
  const shown = (value: string | undefined) => (field === 'ssn' ? maskSsn(value) : (value ?? ''));
  const request = shown(requested);
  const candidate = shown(stored);
  return { field, kind, request, candidate, note: `${FIELD_LABELS[field]}: ${KIND_LABELS[kind]} (request "${request}", student "${candidate}")` };
}

/** Shows only the last four digits of an SSN: near-candidate lists are read by people and stored with the transfer. */
function maskSsn(value: string | undefined): string {
  const digits = (value ?? '').replace(/\D/g, '');
  return digits.length >= 4 ? `***-**-${digits.slice(-4)}` : '';
}

/**
 * The error report for a failed match, as it may be sent back to the
 * requesting district. It says why and nothing about other students (no
 * near candidates, no counts): those stay at the releasing district.
 */
export function matchErrorReport(decision: Exclude<MatchDecision, { kind: 'matched' }>): MatchErrorReport {
  switch (decision.kind) {
    case 'no-match':
      return { code: 'exact-match-not-found', message: 'Exact match not found: no student matches the request.' };
    case 'multiple':
      return { code: 'multiple-students-match', message: 'Exact match not found: multiple students match the request.' };
    case 'invalid-request':
      return { code: 'invalid-request', message: `Invalid request: missing ${decision.missing.map((f) => FIELD_LABELS[f]).join(', ')}.` };
  }
}
