import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/client-store.js';
import { checkConfig } from '../../src/config/load-config.js';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';
import { buildNodeApp } from '../../src/http/node-app.js';
import { loadRecordFiles, seedSyntheticDistrict, type Rejection } from '../../src/loading/record-loads.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { openDatabase } from '../../src/storage/database.js';
import { createTestDatabase } from '../support/database.js';

/** The bulk endpoint and file loading, on a node seeded with a small synthetic district. */
const district = { ncesId: '0499901', name: 'Saguaro Unified School District', state: 'AZ' };
const SCHOOL = 49990100004;
const dir = mkdtempSync(join(tmpdir(), 'rex-loading-bulk-'));
let orm: MikroORM;
let app: FastifyInstance;
let leaToken = '';
let schoolToken = '';

beforeAll(async () => {
  const url = await createTestDatabase('node');
  orm = await openDatabase(url, nodeSchema, 10);
  const config = checkConfig({ dataDir: dir, databaseUrl: url, logLevel: 'silent', node: { routerUrl: 'http://127.0.0.1:9', district } });
  app = await buildNodeApp({ config, orm });
  await app.ready();
  expect((await seedSyntheticDistrict(orm, edfiSpec(), { students: 5, district })).rejected).toBe(0);
  const token = async (ids: number[]) => {
    const client = await createClient(orm.em.fork(), { name: 'bulk', educationOrganizationIds: ids });
    const response = await app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: client.key, client_secret: client.secret } });
    return response.json().access_token as string;
  };
  leaToken = await token([499901]);
  schoolToken = await token([SCHOOL]);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await orm?.close(true);
});

const student = (id: string) => ({ resource: 'students', project: 'ed-fi', document: { studentUniqueId: id, firstName: 'Bo', lastSurname: 'Lund', birthDate: '2014-05-06' } });
const enrollment = (id: string, schoolId = SCHOOL) => ({
  resource: 'studentSchoolAssociations',
  document: { studentReference: { studentUniqueId: id }, schoolReference: { schoolId }, entryDate: '2025-08-13', entryGradeLevelDescriptor: 'uri://ed-fi.org/GradeLevelDescriptor#Sixth grade' },
});

function bulk(lines: string[], token = leaToken) {
  return app.inject({
    method: 'POST',
    url: '/data/v3/bulk',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
    payload: `${lines.join('\n')}\n`,
  });
}

describe('POST /data/v3/bulk', () => {
  it('answers one result per record, in order, writing what is valid and explaining what is not', async () => {
    const response = await bulk([
      JSON.stringify(enrollment('B-1')), // references the student two lines below: same upload, lower level, resolves
      '{not json',
      JSON.stringify(student('B-1')),
      '',
      JSON.stringify(enrollment('B-404')),
      JSON.stringify({ resource: 'students', document: { firstName: 'No id' } }),
      JSON.stringify({ resource: 'nonsense', document: {} }),
      JSON.stringify(student('B-1')),
    ]);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const results = response.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(results.map((r) => [r.line, r.status])).toEqual([
      [1, 201],
      [2, 400],
      [3, 201],
      [5, 409],
      [6, 400],
      [7, 404],
      [8, 200],
    ]);
    expect(results[0].id).toMatch(/^[0-9a-f]{32}$/);
    expect(results[3].problem.type).toBe('urn:ed-fi:api:conflict:unresolved-reference');
    expect(Object.keys(results[4].problem.validationErrors)).toContain('$.studentUniqueId');
  });

  it('is authorized like the API: a token is required and records outside the scope are refused', async () => {
    const none = await app.inject({ method: 'POST', url: '/data/v3/bulk', headers: { 'content-type': 'application/x-ndjson' }, payload: JSON.stringify(student('X')) });
    expect(none.statusCode).toBe(401);
    expect(none.json().type).toBe('urn:ed-fi:api:security:authentication');
    const response = await bulk([JSON.stringify(student('S-1')), JSON.stringify(enrollment('S-1')), JSON.stringify(enrollment('S-1', 49990100001))], schoolToken);
    const results = response.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(results.map((r) => r.status)).toEqual([201, 201, 403]);
    expect(results[2].problem.type).toBe('urn:ed-fi:api:security:authorization');
  });

  it('takes application/x-ndjson only', async () => {
    const response = await app.inject({ method: 'POST', url: '/data/v3/bulk', headers: { authorization: `Bearer ${leaToken}` }, payload: [student('J')] });
    expect(response.statusCode).toBe(415);
  });
});

describe('loading files', () => {
  it('loads in dependency order whatever the file order, reports each rejected record with file:line and loads the rest', async () => {
    const enrollments = join(dir, 'enrollments.ndjson');
    writeFileSync(enrollments, [JSON.stringify(enrollment('F-1')), JSON.stringify(enrollment('F-2')), '{"resource":"studentSchoolAssociations","document":'].join('\n'));
    const students = join(dir, 'students.json');
    writeFileSync(students, JSON.stringify([student('F-1').document, { ...student('F-2').document, birthDate: 'yesterday' }]));
    const rejected: Rejection[] = [];
    const summary = await loadRecordFiles(orm, edfiSpec(), [enrollments, students], { onRejected: (r) => rejected.push(r) });
    expect(summary).toEqual({ created: 2, updated: 0, rejected: 3 });
    expect(rejected.map((r) => [r.at, r.resource, r.status])).toEqual([
      [`${students}#2`, 'students', 400],
      [`${enrollments}:3`, 'studentSchoolAssociations', 400],
      [`${enrollments}:2`, 'studentSchoolAssociations', 409],
    ]);
    expect(rejected[0]!.reason).toContain('$.birthDate');
    expect(rejected[1]!.reason).toMatch(/^not valid JSON/);
  });
});
