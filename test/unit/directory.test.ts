import { describe, expect, it } from 'vitest';
import { selectLocalities, type StudentPlaces } from '../../src/directory/localities.js';
import { rankDistricts } from '../../src/directory/ranking.js';

function students(count: number, city: string, zip: string): StudentPlaces[] {
  return Array.from({ length: count }, () => ({ cities: [city], zips: [zip] }));
}

describe('the 1% rule', () => {
  it('leaves out a locality holding exactly 1% of students', () => {
    const result = selectLocalities([...students(99, 'Mesa', '85201'), ...students(1, 'Bozeman', '59715')]);
    expect(result).toEqual({ cities: ['Mesa'], zips: ['85201'] });
  });

  it('keeps a locality holding just above 1%', () => {
    const result = selectLocalities([...students(98, 'Mesa', '85201'), ...students(2, 'Tempe', '85281')]);
    expect(result.cities).toEqual(['Mesa', 'Tempe']);
    expect(result.zips).toEqual(['85201', '85281']);
    // 1001 students: 10 is 0.999% (out), 11 is 1.099% (in)
    const edge = selectLocalities([...students(980, 'Mesa', '85201'), ...students(10, 'Gilbert', '85233'), ...students(11, 'Chandler', '85224')]);
    expect(edge.cities).toEqual(['Chandler', 'Mesa']);
  });

  it('publishes the only student\'s city and zip', () => {
    expect(selectLocalities(students(1, ' Mesa ', '85201-1234'))).toEqual({ cities: ['Mesa'], zips: ['85201'] });
  });

  it('publishes nothing for a district without students', () => {
    expect(selectLocalities([])).toEqual({ cities: [], zips: [] });
  });

  it('counts each student once per locality, across home and school, ignoring case and spaces', () => {
    const result = selectLocalities([
      { cities: ['MESA', 'mesa ', 'Tempe'], zips: ['85201', '85201'] },
      ...students(99, 'Mesa', '85201'),
    ]);
    // Tempe holds 1 of 100 students: exactly 1%, so it is left out.
    expect(result).toEqual({ cities: ['MESA'], zips: ['85201'] });
  });
});

describe('directory ranking', () => {
  const districts = [
    { name: 'Mesa Public Schools', cities: ['Mesa'], zips: ['85201', '85203'] },
    { name: 'Tempe Elementary School District', cities: ['Tempe'], zips: ['85281'] },
    { name: 'Mesa Verde Charter', cities: ['Cortez'], zips: ['81321'] },
  ];

  it('ranks the exact name first and leaves out districts matching nothing asked', () => {
    const ranked = rankDistricts(districts, { name: 'Mesa Public Schools' });
    expect(ranked.map((d) => d.name)).toEqual(['Mesa Public Schools', 'Mesa Verde Charter']);
  });

  it('finds districts by city and zip code', () => {
    expect(rankDistricts(districts, { city: 'tempe' }).map((d) => d.name)).toEqual(['Tempe Elementary School District']);
    // A neighbouring zip code (same first three digits) ranks below the exact one.
    const byZip = rankDistricts(districts, { zip: '85203' });
    expect(byZip.map((d) => d.name)).toEqual(['Mesa Public Schools', 'Tempe Elementary School District']);
    expect(byZip[0]!.score).toBeGreaterThan(byZip[1]!.score);
  });

  it('prefers a district matching more fields', () => {
    const ranked = rankDistricts(districts, { name: 'Mesa', zip: '85201' });
    expect(ranked[0]?.name).toBe('Mesa Public Schools');
  });

  it('lists every district alphabetically when only the state is given', () => {
    expect(rankDistricts(districts, {}).map((d) => d.name)).toEqual([
      'Mesa Public Schools',
      'Mesa Verde Charter',
      'Tempe Elementary School District',
    ]);
  });
});
