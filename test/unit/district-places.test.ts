import { describe, expect, it } from 'vitest';
import { selectLocalities } from '../../src/directory/localities.js';
import { collectStudentPlaces, type DocumentReader } from '../../src/node/district-places.js';
import { AS_OF_DATE, generateSyntheticDistrict } from '../../src/seed/synthetic-district.js';

function readerOf(records: Array<{ resource: string; document: Record<string, unknown> }>): DocumentReader {
  return async function* (resource) {
    for (const record of records) if (record.resource === resource) yield record.document;
  };
}

describe('cities and zip codes a district registers', () => {
  const records = generateSyntheticDistrict({ students: 600, district: { ncesId: '0499901', name: 'Saguaro Unified School District', state: 'AZ' } });
  const today = new Date(`${AS_OF_DATE}T12:00:00Z`);

  it('counts each currently enrolled student with their home and school places', async () => {
    const places = await collectStudentPlaces(readerOf(records), today);
    const students = records.filter((r) => r.resource === 'students').length;
    expect(places.length).toBeGreaterThan(0);
    expect(places.length).toBeLessThanOrEqual(students);
    expect(places.every((p) => p.cities.length > 0 && p.zips.length > 0)).toBe(true);
  });

  it('publishes the main cities and leaves out those holding 1% or less of students', async () => {
    const places = await collectStudentPlaces(readerOf(records), today);
    const { cities, zips } = selectLocalities(places);
    expect(cities.length).toBeGreaterThanOrEqual(2);
    const counts = new Map<string, number>();
    for (const p of places) for (const c of new Set(p.cities.map((x) => x.toUpperCase()))) counts.set(c, (counts.get(c) ?? 0) + 1);
    const rare = [...counts].filter(([, n]) => n <= places.length * 0.01).map(([c]) => c);
    expect(rare.length).toBeGreaterThan(0);
    for (const city of rare) expect(cities.map((c) => c.toUpperCase())).not.toContain(city);
    expect(zips.every((z) => /^\d{5}$/.test(z))).toBe(true);
  });

  it('stops counting students whose every enrollment has ended', async () => {
    const ended = records.map((r) =>
      r.resource === 'studentSchoolAssociations' ? { ...r, document: { ...r.document, exitWithdrawDate: '2020-01-01' } } : r,
    );
    expect(await collectStudentPlaces(readerOf(ended), today)).toEqual([]);
  });
});
