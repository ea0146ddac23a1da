import type { RequestDemographics } from '../transfer/transfer-entity.js';
import { normalizeBirthDate, normalizeGender, normalizeName, normalizeSsn } from './normalize.js';

/** The fields matching reads, as a request or a local student carries them. */
export type MatchDemographics = Pick<RequestDemographics, 'firstName' | 'middleName' | 'lastSurname' | 'birthDate' | 'gender' | 'ssn'>;

/** The fields seeds/001 "Required Match Logic" names: all four must be present and equal. */
export const REQUIRED_FIELDS = ['firstName', 'lastSurname', 'birthDate', 'gender'] as const;

/** One of the required match fields. */
export type RequiredField = (typeof REQUIRED_FIELDS)[number];

/** Demographics in their comparable form; an absent or unusable value is `''`. */
export interface NormalizedDemographics {
  readonly firstName: string;
  readonly middleName: string;
  readonly lastSurname: string;
  readonly birthDate: string;
  readonly gender: string;
  readonly ssn: string;
}

/** Normalizes every field matching compares (see `normalize.ts`). */
export function normalizeDemographics(d: MatchDemographics): NormalizedDemographics {
  return {
    firstName: normalizeName(d.firstName),
    middleName: normalizeName(d.middleName),
    lastSurname: normalizeName(d.lastSurname),
    birthDate: normalizeBirthDate(d.birthDate),
    gender: normalizeGender(d.gender),
    ssn: normalizeSsn(d.ssn),
  };
}

/** The required fields that are missing or unusable (an impossible birth date counts as missing). */
export function missingRequiredFields(n: NormalizedDemographics): RequiredField[] {
  return REQUIRED_FIELDS.filter((field) => n[field] === '');
}

/**
 * The normalized exact-match key `last|first|birthDate|gender`. Every exact
 * match of a request has the request's key, so a node indexes its students
 * by this key and looks candidates up in one index probe; `decideMatch`
 * then applies the middle-name and SSN rules to the few rows found. Only
 * meaningful for demographics whose required fields are present: a missing
 * field leaves its slot empty.
 */
export function matchKeyOf(d: MatchDemographics): string {
  return `${normalizeName(d.lastSurname)}|${normalizeName(d.firstName)}|${normalizeBirthDate(d.birthDate)}|${normalizeGender(d.gender)}`;
}

/** `matchKeyOf` for demographics already normalized (the same string). */
export function keyOfNormalized(n: NormalizedDemographics): string {
  return `${n.lastSurname}|${n.firstName}|${n.birthDate}|${n.gender}`;
}
