/**
 * The cities and zip codes a district publishes in the router's directory.
 *
 * A locality is published only when it holds more than 1% of the district's
 * students (seeds/001: "Cities and zip codes that exist for only a small
 * percentage of the district's student population (1% or less) are not sent
 * to the Router"), so that one family living far away does not tie a Maine
 * district to a Montana city.
 */

/** The places tied to one student: home address(es) and the schools they attend. */
export interface StudentPlaces {
  cities: readonly string[];
  zips: readonly string[];
}

/** The localities to publish. */
export interface Localities {
  cities: string[];
  zips: string[];
}

/** Share of students a locality must exceed to be published. */
export const LOCALITY_THRESHOLD = 0.01;

/**
 * Counts, for every city and zip code, the distinct students tied to it
 * (by home address or by a school they attend), and keeps those holding
 * strictly more than 1% of all students. Cities compare without case and
 * extra spaces; zip codes by their first five digits.
 */
export function selectLocalities(students: readonly StudentPlaces[]): Localities {
  const cities = new Map<string, { name: string; count: number }>();
  const zips = new Map<string, { name: string; count: number }>();
  for (const student of students) {
    countOnce(cities, student.cities.map((c) => [cityKey(c), tidyCity(c)] as const));
    countOnce(zips, student.zips.map((z) => [zipKey(z), zipKey(z)] as const));
  }
  const total = students.length;
  const published = (m: Map<string, { name: string; count: number }>) =>
    [...m.values()]
      .filter((entry) => entry.count > total * LOCALITY_THRESHOLD)
      .map((entry) => entry.name)
      .sort();
  return { cities: published(cities), zips: published(zips) };
}

/** The comparison key of a city name. */
export function cityKey(city: string): string {
  return tidyCity(city).toUpperCase();
}

/** A zip code's five-digit form (ZIP+4 loses its extension). */
export function zipKey(zip: string): string {
  return zip.trim().slice(0, 5);
}

function tidyCity(city: string): string {
  return city.trim().replace(/\s+/g, ' ');
}

function countOnce(counts: Map<string, { name: string; count: number }>, places: ReadonlyArray<readonly [string, string]>) {
  const seen = new Set<string>();
  for (const [key, name] of places) {
    if (!key || seen.has(key)) continue;
    seen.add(key);
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else counts.set(key, { name, count: 1 });
  }
}
