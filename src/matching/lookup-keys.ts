import { normalizeDemographics, type MatchDemographics } from './demographics.js';

/**
 * Keys under which to look up the pool of near candidates when the exact
 * key finds nobody: same last and first name (birth date off), same last
 * name and birth date (first name a nickname, an initial or misspelt; twins),
 * same first name and birth date (last name changed or hyphenated). A node
 * that indexes its students by these three keys finds the pool in three
 * index probes instead of a scan. Empty components stay empty.
 */
export function nearLookupKeysOf(d: MatchDemographics): { lastFirst: string; lastBirth: string; firstBirth: string } {
  const n = normalizeDemographics(d);
  return {
    lastFirst: `${n.lastSurname}|${n.firstName}`,
    lastBirth: `${n.lastSurname}|${n.birthDate}`,
    firstBirth: `${n.firstName}|${n.birthDate}`,
  };
}
