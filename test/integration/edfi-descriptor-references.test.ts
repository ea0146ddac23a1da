import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';
import { RecordWriter } from '../../src/loading/record-writer.js';
import { Migration20261125EdfiReferenceKeys } from '../../src/records/reference-keys-migration.js';
import { startEdfiNode } from '../support/edfi-app.js';

/**
 * A descriptor value still used by a document cannot be deleted (ODS/API:
 * 409 dependent-item-exists), whichever path wrote the document: POST, PUT,
 * the bulk endpoint, the batch writer of seed/load, or a store written
 * before references were kept with each document (the migration back-fills
 * them from the stored bodies).
 */
let node: Awaited<ReturnType<typeof startEdfiNode>>;
const SEX = '/data/v3/ed-fi/sexDescriptors';
const STUDENTS = '/data/v3/ed-fi/students';
const NAMESPACE = 'uri://rex.test/SexDescriptor';

const uri = (code: string) => `${NAMESPACE}#${code}`;
const student = (id: string, sex: string) => ({ studentUniqueId: id, firstName: 'Dee', lastSurname: 'Scriptor', birthDate: '2013-05-06', birthSexDescriptor: uri(sex) });

async function createDescriptor(code: string): Promise<string> {
  const response = await node.app.inject({ method: 'POST', url: SEX, payload: { codeValue: code, namespace: NAMESPACE, shortDescription: code } });
  expect(response.statusCode, response.body).toBe(201);
  return response.headers.location!.split('/').pop()!;
}

async function deleteDescriptor(id: string) {
  return node.app.inject({ method: 'DELETE', url: `${SEX}/${id}` });
}

async function studentId(studentUniqueId: string): Promise<string> {
  const [found] = (await node.app.inject({ method: 'GET', url: STUDENTS, query: { studentUniqueId } })).json() as Array<{ id: string }>;
  return found!.id;
}

function expectDependentItem(response: { statusCode: number; json(): unknown }): void {
  expect(response.statusCode).toBe(409);
  expect(response.json()).toMatchObject({ type: 'urn:ed-fi:api:conflict:dependent-item-exists', status: 409, correlationId: expect.any(String) });
}

beforeAll(async () => {
  node = await startEdfiNode();
}, 60_000);

afterAll(async () => {
  await node?.close();
});

describe('descriptor values in use', () => {
  it('refuses to delete a descriptor a POSTed document uses, and deletes it once the document no longer does (PUT)', async () => {
    const used = await createDescriptor('PostUsed');
    const other = await createDescriptor('PostOther');
    expect((await node.app.inject({ method: 'POST', url: STUDENTS, payload: student('D1', 'PostUsed') })).statusCode).toBe(201);
    expectDependentItem(await deleteDescriptor(used));
    const id = await studentId('D1');
    const put = await node.app.inject({ method: 'PUT', url: `${STUDENTS}/${id}`, payload: student('D1', 'PostOther') });
    expect(put.statusCode, put.body).toBe(204);
    expectDependentItem(await deleteDescriptor(other));
    expect((await deleteDescriptor(used)).statusCode).toBe(204);
    expect((await node.app.inject({ method: 'DELETE', url: `${STUDENTS}/${id}` })).statusCode).toBe(204);
    expect((await deleteDescriptor(other)).statusCode).toBe(204);
  });

  it('refuses to delete a descriptor used by a record of the bulk endpoint', async () => {
    const used = await createDescriptor('BulkUsed');
    const line = JSON.stringify({ resource: 'students', project: 'ed-fi', document: student('D2', 'BulkUsed') });
    const response = await node.app.inject({ method: 'POST', url: '/data/v3/bulk', headers: { 'content-type': 'application/x-ndjson' }, payload: `${line}\n` });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body.trim())).toMatchObject({ line: 1, status: 201 });
    expectDependentItem(await deleteDescriptor(used));
  });

  it('refuses to delete a descriptor used by a record of the batch writer (seed, load), also for repeated identities', async () => {
    const used = await createDescriptor('BatchUsed');
    const repeated = await createDescriptor('BatchRepeated');
    const outcomes = await new RecordWriter(node.orm, edfiSpec()).write([
      { resource: 'students', document: student('D3', 'BatchUsed') },
      { resource: 'students', document: student('D4', 'BatchUsed') },
      { resource: 'students', document: student('D4', 'BatchRepeated') },
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([201, 201, 200]);
    expectDependentItem(await deleteDescriptor(used));
    expectDependentItem(await deleteDescriptor(repeated));
  });

  it('back-fills the references of documents stored before they were kept with each document (migration)', async () => {
    const used = await createDescriptor('Legacy');
    expect((await node.app.inject({ method: 'POST', url: STUDENTS, payload: student('D5', 'Legacy') })).statusCode).toBe(201);
    const id = await studentId('D5');
    // As the migration finds a document of an older store: no reference keys yet.
    await node.orm.em.fork().execute(`UPDATE edfi_document SET reference_keys = '{}' WHERE id = ?`, [id]);
    const descriptorKeys = async () =>
      (await node.orm.em.fork().execute<Array<{ keys: string[] }>>(`SELECT reference_keys AS keys FROM edfi_document WHERE id = ?`, [id]))[0]!.keys.filter((k) =>
        k.startsWith('ed-fi/sexDescriptors '),
      );
    expect(await descriptorKeys()).toEqual([]);
    expect((await deleteDescriptor(await createDescriptor('Unused'))).statusCode).toBe(204);
    await new Migration20261125EdfiReferenceKeys(node.orm.em.getDriver(), node.orm.config).up();
    expect(await descriptorKeys()).toHaveLength(1);
    expectDependentItem(await deleteDescriptor(used));
  });
});
