import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, issueToken, revokeClient, TOKEN_LIFETIME_SECONDS } from '../../src/clients/client-store.js';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';
import { buildNodeApp } from '../../src/http/node-app.js';
import { seedSyntheticDistrict } from '../../src/loading/record-loads.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { openDatabase } from '../../src/storage/database.js';
import { createTestDatabase } from '../support/database.js';
import { testNodeConfig } from '../support/node-config.js';

/**
 * The Ed-Fi API as a real node serves it (tokens required): OAuth2 client
 * credentials, and each client scoped to its education organizations.
 */
const district = { ncesId: '0499901', name: 'Saguaro Unified School District', state: 'AZ' };
const LEA = 499901;
const SCHOOL = 49990100004;
let orm: MikroORM;
let app: FastifyInstance;
const clients: Record<'lea' | 'school', { key: string; secret: string }> = { lea: { key: '', secret: '' }, school: { key: '', secret: '' } };

beforeAll(async () => {
  const url = await createTestDatabase('node');
  orm = await openDatabase(url, nodeSchema, 10);
  const config = testNodeConfig(url, district);
  app = await buildNodeApp({ config, orm });
  await app.ready();
  const summary = await seedSyntheticDistrict(orm, edfiSpec(), { students: 20, district });
  expect(summary.rejected).toBe(0);
  clients.lea = await createClient(orm.em.fork(), { name: 'State reporting', educationOrganizationIds: [LEA] });
  clients.school = await createClient(orm.em.fork(), { name: 'School SIS', educationOrganizationIds: [SCHOOL] });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await orm?.close(true);
});

async function tokenFor(client: { key: string; secret: string }): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { authorization: `Basic ${Buffer.from(`${client.key}:${client.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'grant_type=client_credentials',
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().access_token;
}

function get(url: string, token?: string) {
  return app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

describe('the token endpoint (RFC 6749 client credentials)', () => {
  it('issues a bearer token for 1800 s with credentials in a Basic header, a form body or a JSON body', async () => {
    const basic = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: `Basic ${Buffer.from(`${clients.lea.key}:${clients.lea.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
    expect(basic.statusCode).toBe(200);
    expect(basic.json()).toEqual({ access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), token_type: 'bearer', expires_in: 1800 });
    expect(basic.headers['cache-control']).toBe('no-store');
    const form = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: clients.lea.key, client_secret: clients.lea.secret }).toString(),
    });
    expect(form.statusCode).toBe(200);
    const json = await app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: clients.lea.key, client_secret: clients.lea.secret } });
    expect(json.statusCode).toBe(200);
    expect(new Set([basic.json().access_token, form.json().access_token, json.json().access_token]).size).toBe(3);
  });

  it('answers RFC 6749 §5.2 errors', async () => {
    const wrong = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: `Basic ${Buffer.from(`${clients.lea.key}:nope`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'invalid_client' });
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    const grant = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=password&client_id=${clients.lea.key}&client_secret=${clients.lea.secret}`,
    });
    expect(grant.statusCode).toBe(400);
    expect(grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const none = await app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(none.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('bearer tokens on the Ed-Fi API', () => {
  it('refuses a request without a token, or with a made-up one, with a 401 Ed-Fi problem', async () => {
    for (const response of [await get('/data/v3/ed-fi/students'), await get('/data/v3/ed-fi/students', 'made-up')]) {
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ type: 'urn:ed-fi:api:security:authentication', status: 401, correlationId: expect.any(String) });
    }
    expect((await get('/data/v3/bulk')).statusCode).toBe(404);
  });

  it('refuses an expired token', async () => {
    const issued = await issueToken(orm.em.fork(), clients.lea, new Date(Date.now() - (TOKEN_LIFETIME_SECONDS + 5) * 1000));
    if (issued.kind !== 'ok') throw new Error('no token');
    const response = await get('/data/v3/ed-fi/students', issued.token.accessToken);
    expect(response.statusCode).toBe(401);
    expect(response.json().type).toBe('urn:ed-fi:api:security:authentication');
  });

  it('stops accepting the tokens of a revoked client at once', async () => {
    const client = await createClient(orm.em.fork(), { name: 'Short-lived', educationOrganizationIds: [LEA] });
    const token = await tokenFor(client);
    expect((await get('/data/v3/ed-fi/schools', token)).statusCode).toBe(200);
    await revokeClient(orm.em.fork(), client.key);
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      status = (await get('/data/v3/ed-fi/schools', token)).statusCode;
      if (status === 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
  });
});

describe('scoping to education organizations', () => {
  it('lets an LEA client see every student of its schools', async () => {
    // Every student of this district is enrolled at one of the LEA's schools, also those other tests of this file add.
    const [stored] = await orm.em.fork().execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM edfi_document WHERE resource = 'ed-fi/students'`);
    expect(Number(stored!.n)).toBeGreaterThanOrEqual(20);
    const response = await get('/data/v3/ed-fi/students?totalCount=true&limit=500', await tokenFor(clients.lea));
    expect(response.statusCode).toBe(200);
    expect(response.headers['total-count']).toBe(stored!.n);
  });

  it('shows a school client only the students enrolled at its school, and refuses the others with 403', async () => {
    const lea = await tokenFor(clients.lea);
    const school = await tokenFor(clients.school);
    const enrollments = (await get(`/data/v3/ed-fi/studentSchoolAssociations?schoolId=${SCHOOL}&limit=500`, lea)).json() as Array<{ studentReference: { studentUniqueId: string } }>;
    const enrolled = new Set(enrollments.map((e) => e.studentReference.studentUniqueId));
    expect(enrolled.size).toBeGreaterThan(0);
    expect(enrolled.size).toBeLessThan(20);

    const listed = await get('/data/v3/ed-fi/students?totalCount=true&limit=500', school);
    expect(listed.statusCode).toBe(200);
    const students = listed.json() as Array<{ id: string; studentUniqueId: string }>;
    expect(new Set(students.map((s) => s.studentUniqueId))).toEqual(enrolled);
    expect(listed.headers['total-count']).toBe(String(enrolled.size));

    const all = (await get('/data/v3/ed-fi/students?limit=500', lea)).json() as Array<{ id: string; studentUniqueId: string }>;
    const outside = all.find((s) => !enrolled.has(s.studentUniqueId))!;
    const inside = all.find((s) => enrolled.has(s.studentUniqueId))!;
    expect((await get(`/data/v3/ed-fi/students/${inside.id}`, school)).statusCode).toBe(200);
    const refused = await get(`/data/v3/ed-fi/students/${outside.id}`, school);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ type: 'urn:ed-fi:api:security:authorization', status: 403 });
    const del = await app.inject({ method: 'DELETE', url: `/data/v3/ed-fi/students/${outside.id}`, headers: { authorization: `Bearer ${school}` } });
    expect(del.statusCode).toBe(403);

    const schools = (await get('/data/v3/ed-fi/schools', school)).json() as Array<{ schoolId: number }>;
    expect(schools.map((s) => s.schoolId)).toEqual([SCHOOL]);
    const otherEnrollments = (await get('/data/v3/ed-fi/studentSchoolAssociations?limit=500', school)).json() as Array<{ schoolReference: { schoolId: number } }>;
    expect(otherEnrollments.every((e) => e.schoolReference.schoolId === SCHOOL)).toBe(true);
  });

  it('lets a school client create a student, but reach it only once enrolled at its school', async () => {
    const school = await tokenFor(clients.school);
    const post = (resource: string, payload: object) =>
      app.inject({ method: 'POST', url: `/data/v3/ed-fi/${resource}`, headers: { authorization: `Bearer ${school}` }, payload });
    const created = await post('students', { studentUniqueId: 'NEW-1', firstName: 'Ana', lastSurname: 'Quispe', birthDate: '2015-03-02' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.headers.location!.split('/').pop()!;
    expect((await get(`/data/v3/ed-fi/students/${id}`, school)).statusCode).toBe(403);
    const enrollment = {
      studentReference: { studentUniqueId: 'NEW-1' },
      entryDate: '2025-08-13',
      entryGradeLevelDescriptor: 'uri://ed-fi.org/GradeLevelDescriptor#Fifth grade',
    };
    const elsewhere = await post('studentSchoolAssociations', { ...enrollment, schoolReference: { schoolId: 49990100001 } });
    expect(elsewhere.statusCode).toBe(403);
    const here = await post('studentSchoolAssociations', { ...enrollment, schoolReference: { schoolId: SCHOOL } });
    expect(here.statusCode, here.body).toBe(201);
    expect((await get(`/data/v3/ed-fi/students/${id}`, school)).statusCode).toBe(200);
  });
});

describe('change queries in scope', () => {
  it('shows a school client only the deletions and change versions of records in its scope', async () => {
    const lea = await tokenFor(clients.lea);
    const school = await tokenFor(clients.school);
    const send = (method: 'POST' | 'DELETE', url: string, payload?: object) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${lea}` }, ...(payload ? { payload } : {}) });
    const enrollment = (student: string, schoolId: number) => ({
      studentReference: { studentUniqueId: student },
      schoolReference: { schoolId },
      entryDate: '2025-08-14',
      entryGradeLevelDescriptor: 'uri://ed-fi.org/GradeLevelDescriptor#Third grade',
    });
    const start = (await get('/changeQueries/v1/availableChangeVersions', lea)).json().newestChangeVersion as number;
    const deleted: Record<string, string> = {};
    for (const [student, schoolId] of [['CQ-IN', SCHOOL], ['CQ-OUT', 49990100001]] as const) {
      expect((await send('POST', '/data/v3/ed-fi/students', { studentUniqueId: student, firstName: 'Cy', lastSurname: 'Query', birthDate: '2016-01-02' })).statusCode).toBe(201);
      const created = await send('POST', '/data/v3/ed-fi/studentSchoolAssociations', enrollment(student, schoolId));
      expect(created.statusCode, created.body).toBe(201);
      deleted[student] = created.headers.location!.split('/').pop()!;
      expect((await send('DELETE', `/data/v3/ed-fi/studentSchoolAssociations/${deleted[student]}`)).statusCode).toBe(204);
    }
    const deletes = async (token: string) =>
      ((await get(`/data/v3/ed-fi/studentSchoolAssociations/deletes?minChangeVersion=${start + 1}`, token)).json() as Array<{ id: string }>).map((d) => d.id);
    expect(await deletes(lea)).toEqual([deleted['CQ-IN'], deleted['CQ-OUT']]);
    expect(await deletes(school)).toEqual([deleted['CQ-IN']]);

    // The last change is outside the school's scope: the school client's newest change version stays before it.
    const newest = async (token: string) => {
      const response = await get('/changeQueries/v1/availableChangeVersions', token);
      expect(response.statusCode).toBe(200);
      return response.json().newestChangeVersion as number;
    };
    const leaNewest = await newest(lea);
    const schoolNewest = await newest(school);
    expect(schoolNewest).toBeGreaterThan(start);
    expect(schoolNewest).toBeLessThan(leaNewest);
    expect((await get('/changeQueries/v1/availableChangeVersions')).statusCode).toBe(401);
  });
});
