import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { loadStandardDescriptors } from '../../src/records/standard-descriptors.js';
import type { SifJsonObject } from '../../src/sif/json-mapping.js';
import { defaultCodeSets } from '../../src/sis-mapping/code-sets.js';
import type { SyncContext } from '../../src/sis-sync/apply-sif.js';
import { applySifAdds } from '../../src/sis-sync/apply-sif-batch.js';
import { ensureDistrict } from '../../src/sis-sync/sis-node-agent.js';
import { openDatabase } from '../../src/storage/database.js';
import { createTestDatabase } from '../support/database.js';

const DISTRICT = { ncesId: '0499902', name: 'Batch USD' };
let orm: MikroORM;
let sync: SyncContext;

beforeAll(async () => {
  orm = await openDatabase(await createTestDatabase('node'), nodeSchema, 4);
  await loadStandardDescriptors(orm.em.fork());
  await ensureDistrict(orm, DISTRICT);
  sync = { zoneId: 'batch-zone', spec: edfiSpec(), codes: defaultCodeSets(), localEducationAgencyId: Number(DISTRICT.ncesId), ensured: new Set() };
});

afterAll(async () => {
  await orm?.close(true);
});

function student(i: number, demographics: SifJsonObject = {}): SifJsonObject {
  return {
    '@RefId': `C${String(i).padStart(31, '0')}`,
    LocalId: `B-${i}`,
    Name: { '@Type': '04', LastName: `Last${i}`, FirstName: 'Ana' },
    Demographics: { Gender: 'F', BirthDate: '2012-03-04', ...demographics },
  };
}

async function stored(localIds: string[]) {
  const rows = await orm.em.fork().execute<Array<{ id: string; resource: string }>>(
    `SELECT identity->>'studentUniqueId' AS id, resource FROM edfi_document WHERE identity->>'studentUniqueId' = ANY(?::text[])`,
    [`{${localIds.join(',')}}`],
  );
  return rows.map((r) => `${r.id} ${r.resource.split('/')[1]}`).sort();
}

describe('SIF Adds applied as one batch', () => {
  it('applies many objects in one go, students and their associations, with ref-map rows', async () => {
    const objects = [1, 2, 3, 4].map((i) => student(i));
    const outcomes = await applySifAdds(orm, sync, 'StudentPersonal', objects);
    expect(outcomes.map((o) => o.kind)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(outcomes[0]).toMatchObject({ documents: [{ resource: 'students' }, { resource: 'studentEducationOrganizationAssociations' }] });
    expect(await stored(['B-1', 'B-4'])).toEqual(['B-1 studentEducationOrganizationAssociations', 'B-1 students', 'B-4 studentEducationOrganizationAssociations', 'B-4 students']);
    const refs = await orm.em
      .fork()
      .execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM sif_ref_map WHERE zone_id = 'batch-zone' AND ref_id = ANY(?::text[])`, [
        `{${objects.map((o) => o['@RefId']).join(',')}}`,
      ]);
    expect(Number(refs[0]!.n)).toBe(8);
  });

  it('answers a mapping failure (9/3) and a store refusal (9/1) per object, never half-writing one, and applies the rest', async () => {
    const objects = [
      student(11),
      student(12, { BirthDate: undefined as unknown as string }),
      // A language code with no descriptor: the student maps, its association is refused by the store.
      student(13, { LanguageList: { Language: { Code: 'zz-not-a-language' } } }),
      student(14),
    ];
    delete (objects[1]!['Demographics'] as SifJsonObject)['BirthDate'];
    const outcomes = await applySifAdds(orm, sync, 'StudentPersonal', objects);
    expect(outcomes.map((o) => o.kind)).toEqual(['applied', 'failed', 'failed', 'applied']);
    expect(outcomes[1]).toMatchObject({ error: { category: 9, code: 3 } });
    expect(outcomes[2]).toMatchObject({ error: { category: 9, code: 1 } });
    expect(await stored(['B-11', 'B-12', 'B-13', 'B-14'])).toEqual([
      'B-11 studentEducationOrganizationAssociations',
      'B-11 students',
      'B-14 studentEducationOrganizationAssociations',
      'B-14 students',
    ]);
  });

  it('upserts again on a repeated Add (the last one wins)', async () => {
    await applySifAdds(orm, sync, 'StudentPersonal', [student(21), student(22)]);
    const again = await applySifAdds(orm, sync, 'StudentPersonal', [student(21, { BirthDate: '2011-01-02' }), student(22)]);
    expect(again.map((o) => o.kind)).toEqual(['applied', 'applied']);
    const rows = await orm.em.fork().execute<Array<{ birth: string }>>(
      `SELECT body->>'birthDate' AS birth FROM edfi_document WHERE resource = 'ed-fi/students' AND identity->>'studentUniqueId' = 'B-21'`,
    );
    expect(rows).toEqual([{ birth: '2011-01-02' }]);
  });
});
