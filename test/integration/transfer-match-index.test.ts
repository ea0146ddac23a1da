import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';
import { RecordWriter } from '../../src/loading/record-writer.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { loadStandardDescriptors } from '../../src/records/standard-descriptors.js';
import { openDatabase } from '../../src/storage/database.js';
import { candidatePool, catchUpMatchIndex } from '../../src/transfer/match-index.js';
import { createTestDatabase } from '../support/database.js';

/**
 * The match-key index follows the Ed-Fi store (DESIGN §6.4): students and
 * their district associations written, changed or deleted through the
 * store are found, re-keyed or dropped at the next lookup.
 */
let orm: MikroORM;

function student(id: string, firstName: string, lastSurname: string, birthDate: string, sex = 'Female') {
  return { resource: 'students', document: { studentUniqueId: id, firstName, lastSurname, birthDate, birthSexDescriptor: `uri://ed-fi.org/SexDescriptor#${sex}` } };
}

async function write(...records: Array<{ resource: string; document: unknown }>): Promise<void> {
  const outcomes = await new RecordWriter(orm, edfiSpec()).write(records);
  expect(outcomes.every((o) => o.status < 300), JSON.stringify(outcomes)).toBe(true);
}

const ada = { firstName: 'Ada', lastSurname: 'Lovelace', birthDate: '2010-12-10', gender: 'Female' };

beforeAll(async () => {
  orm = await openDatabase(await createTestDatabase('node'), nodeSchema, 4);
  await loadStandardDescriptors(orm.em.fork());
});

afterAll(async () => {
  await orm?.close(true);
});

describe('student match-key index', () => {
  it('finds a student written through the store by its normalized exact key', async () => {
    await write(student('S1', 'Ada', 'Lovelace', '2010-12-10'));
    const pool = await candidatePool(orm.em.fork(), { ...ada, firstName: ' ADA ' });
    expect(pool.exact.map((s) => s.studentId)).toEqual(['S1']);
    expect(pool.exact[0]!.demographics).toMatchObject({ firstName: 'Ada', gender: 'Female' });
  });

  it('compares accents and hyphen variants the way matching does', async () => {
    await write(student('S2', 'José', 'García-López', '2011-03-04', 'Male'));
    const pool = await candidatePool(orm.em.fork(), { firstName: 'Jose', lastSurname: 'Garcia Lopez', birthDate: '2011-03-04', gender: 'M' });
    expect(pool.exact.map((s) => s.studentId)).toEqual(['S2']);
  });

  it('re-keys a student whose name changes and drops one that is deleted', async () => {
    await write(student('S3', 'Grace', 'Hopper', '2009-12-09'));
    await write(student('S3', 'Grace', 'Murray', '2009-12-09'));
    const old = await candidatePool(orm.em.fork(), { firstName: 'Grace', lastSurname: 'Hopper', birthDate: '2009-12-09', gender: 'Female' });
    expect(old.exact).toEqual([]);
    const renamed = await candidatePool(orm.em.fork(), { firstName: 'Grace', lastSurname: 'Murray', birthDate: '2009-12-09', gender: 'Female' });
    expect(renamed.exact.map((s) => s.studentId)).toEqual(['S3']);
    await orm.em.fork().execute(`DELETE FROM edfi_document WHERE resource = 'ed-fi/students' AND identity->>'studentUniqueId' = 'S3'`);
    expect((await candidatePool(orm.em.fork(), { firstName: 'Grace', lastSurname: 'Murray', birthDate: '2009-12-09', gender: 'Female' })).exact).toEqual([]);
  });

  it('takes sex and SSN from the district association when one is written later', async () => {
    await write({
      resource: 'localEducationAgencies',
      document: {
        localEducationAgencyId: 255901,
        nameOfInstitution: 'Test ISD',
        localEducationAgencyCategoryDescriptor: 'uri://ed-fi.org/LocalEducationAgencyCategoryDescriptor#Independent',
        categories: [{ educationOrganizationCategoryDescriptor: 'uri://ed-fi.org/EducationOrganizationCategoryDescriptor#Local Education Agency' }],
      },
    });
    await write(student('S4', 'Alan', 'Turing', '2012-06-23', 'Female'));
    await write({
      resource: 'studentEducationOrganizationAssociations',
      document: {
        studentReference: { studentUniqueId: 'S4' },
        educationOrganizationReference: { educationOrganizationId: 255901 },
        sexDescriptor: 'uri://ed-fi.org/SexDescriptor#Male',
        studentIdentificationCodes: [
          { studentIdentificationSystemDescriptor: 'uri://ed-fi.org/StudentIdentificationSystemDescriptor#SSN', assigningOrganizationIdentificationCode: 'SSA', identificationCode: '123-45-6789' },
        ],
      },
    });
    const asMale = await candidatePool(orm.em.fork(), { firstName: 'Alan', lastSurname: 'Turing', birthDate: '2012-06-23', gender: 'Male' });
    expect(asMale.exact.map((s) => s.studentId)).toEqual(['S4']);
    expect(asMale.exact[0]!.demographics.ssn).toBe('123-45-6789');
    expect((await candidatePool(orm.em.fork(), { firstName: 'Alan', lastSurname: 'Turing', birthDate: '2012-06-23', gender: 'Female' })).exact).toEqual([]);
  });

  it('returns every exact match (twins) and near candidates sharing two of name and birth date', async () => {
    await write(student('T1', 'Mary', 'Smith', '2013-01-02'), student('T2', 'Mary', 'Smith', '2013-01-02'), student('T3', 'Mary', 'Smith', '2013-02-01'));
    const pool = await candidatePool(orm.em.fork(), { firstName: 'Mary', lastSurname: 'Smith', birthDate: '2013-01-02', gender: 'Female' });
    expect(pool.exact.map((s) => s.studentId).sort()).toEqual(['T1', 'T2']);
    expect(pool.near.map((s) => s.studentId)).toEqual(['T3']);
  });

  it('catches up a bulk load of over a thousand students at once, leaving nothing waiting', async () => {
    const roster = Array.from({ length: 1200 }, (_, i) => student(`L${i}`, 'Bulk', `Student${String.fromCharCode(65 + (i % 26))}${i}`, '2014-05-06'));
    await write(...roster);
    expect(await catchUpMatchIndex(orm)).toBeGreaterThanOrEqual(1200);
    const [waiting] = await orm.em.fork().execute<Array<{ n: number }>>('SELECT count(*)::int AS n FROM student_match_dirty');
    expect(waiting!.n).toBe(0);
    const pool = await candidatePool(orm.em.fork(), { firstName: 'Bulk', lastSurname: 'StudentB1', birthDate: '2014-05-06', gender: 'Female' });
    expect(pool.exact.map((s) => s.studentId)).toEqual(['L1']);
  });
});
