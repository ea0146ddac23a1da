import { cityKey, zipKey } from './localities.js';

/** What a registrar types into the district locator; state is required elsewhere. */
export interface DirectoryQuery {
  name?: string;
  city?: string;
  zip?: string;
}

/** The parts of a district the ranking looks at. */
export interface Rankable {
  name: string;
  cities: readonly string[];
  zips: readonly string[];
}

/**
 * Scores how well a district matches the locator's optional fields; 0 means
 * it matches none of the fields given. With no optional field every district
 * of the state scores 1, and the list falls back to alphabetical order.
 */
export function scoreDistrict(district: Rankable, query: DirectoryQuery): number {
  const name = query.name?.trim() ? nameScore(district.name, query.name) : 0;
  const city = query.city?.trim() && district.cities.some((c) => cityKey(c) === cityKey(query.city!)) ? 30 : 0;
  const zip = query.zip?.trim() ? zipScore(district.zips, query.zip) : 0;
  const asked = Boolean(query.name?.trim() || query.city?.trim() || query.zip?.trim());
  return asked ? name + city + zip : 1;
}

/** Ranks districts best match first, leaving out those that match nothing asked. */
export function rankDistricts<T extends Rankable>(districts: readonly T[], query: DirectoryQuery): Array<T & { score: number }> {
  return districts
    .map((d) => ({ ...d, score: scoreDistrict(d, query) }))
    .filter((d) => d.score > 0)
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
}

function nameScore(districtName: string, asked: string): number {
  const have = words(districtName);
  const want = words(asked);
  if (want.length === 0) return 0;
  if (have.join(' ') === want.join(' ')) return 100;
  if (have.join(' ').startsWith(want.join(' '))) return 70;
  const found = want.filter((w) => have.some((h) => h.startsWith(w))).length;
  return Math.round((50 * found) / want.length);
}

function zipScore(zips: readonly string[], asked: string): number {
  const zip = zipKey(asked);
  if (zips.some((z) => zipKey(z) === zip)) return 30;
  // Neighbouring zip codes share their first three digits (the sectional center).
  return zip.length >= 3 && zips.some((z) => z.startsWith(zip.slice(0, 3))) ? 5 : 0;
}

/** Lower-case words without accents or punctuation, ignoring filler words of district names. */
function words(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !FILLER.has(w));
}

const FILLER = new Set(['school', 'schools', 'district', 'unified', 'public', 'independent', 'isd', 'usd', 'the', 'of', 'no']);
