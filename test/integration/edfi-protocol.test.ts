import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdfiNode } from '../support/edfi-app.js';

let node: Awaited<ReturnType<typeof startEdfiNode>>;
const STUDENTS = '/data/v3/ed-fi/students';

const student = (n: number, firstName = 'Ana') => ({
  studentUniqueId: `P${String(n).padStart(6, '0')}`,
  firstName,
  lastSurname: 'Protocol',
  birthDate: '2012-03-04',
});

async function post(url: string, payload: unknown) {
  return node.app.inject({ method: 'POST', url, payload: payload as object });
}

async function idOf(n: number): Promise<string> {
  const [found] = JSON.parse((await node.app.inject({ method: 'GET', url: STUDENTS, query: { studentUniqueId: student(n).studentUniqueId } })).body);
  return found.id;
}

beforeAll(async () => {
  node = await startEdfiNode();
  for (let n = 1; n <= 30; n += 1) expect((await post(STUDENTS, student(n))).statusCode).toBe(201);
});

afterAll(async () => {
  await node?.close();
});

describe('Ed-Fi paging', () => {
  it('pages by offset and limit (default 25), reports Total-Count on request and refuses limit above 500', async () => {
    // At least the 30 students of beforeAll; other tests of this file add and delete a few.
    const [stored] = await node.orm.em.fork().execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM edfi_document WHERE resource = 'ed-fi/students'`);
    const total = Number(stored!.n);
    expect(total).toBeGreaterThanOrEqual(30);
    const first = await node.app.inject({ method: 'GET', url: STUDENTS, query: { totalCount: 'true' } });
    expect(JSON.parse(first.body)).toHaveLength(25);
    expect(first.headers['total-count']).toBe(String(total));
    const pages: string[] = [];
    for (let offset = 0; offset < total; offset += 7) {
      const page = JSON.parse((await node.app.inject({ method: 'GET', url: STUDENTS, query: { offset: String(offset), limit: '7' } })).body);
      pages.push(...page.map((d: { studentUniqueId: string }) => d.studentUniqueId));
    }
    expect(pages).toHaveLength(total);
    expect(new Set(pages).size).toBe(total);
    expect((await node.app.inject({ method: 'GET', url: STUDENTS })).headers['total-count']).toBeUndefined();
    const tooMany = await node.app.inject({ method: 'GET', url: STUDENTS, query: { limit: '501' } });
    expect(tooMany.statusCode).toBe(400);
    expect(JSON.parse(tooMany.body).type).toBe('urn:ed-fi:api:bad-request');
  });

  it('queries by other top-level properties and refuses unknown ones', async () => {
    await post(STUDENTS, student(31, 'Zed'));
    const found = JSON.parse((await node.app.inject({ method: 'GET', url: STUDENTS, query: { firstName: 'Zed' } })).body);
    expect(found.map((s: { studentUniqueId: string }) => s.studentUniqueId)).toEqual(['P000031']);
    expect((await node.app.inject({ method: 'GET', url: STUDENTS, query: { shoeSize: '9' } })).statusCode).toBe(400);
  });

  it('matches the resource path segment case-insensitively', async () => {
    const response = await node.app.inject({ method: 'GET', url: '/data/v3/ED-FI/Students', query: { studentUniqueId: 'P000001' } });
    expect(JSON.parse(response.body)).toHaveLength(1);
  });
});

describe('Ed-Fi ETags and identity', () => {
  it('answers If-None-Match with 304 and refuses a stale If-Match with 412 on PUT and DELETE', async () => {
    const id = await idOf(2);
    const get = await node.app.inject({ method: 'GET', url: `${STUDENTS}/${id}` });
    const etag = get.headers.etag as string;
    expect((await node.app.inject({ method: 'GET', url: `${STUDENTS}/${id}`, headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    expect((await node.app.inject({ method: 'PUT', url: `${STUDENTS}/${id}`, payload: student(2, 'Bea'), headers: { 'if-match': etag } })).statusCode).toBe(204);
    const stalePut = await node.app.inject({ method: 'PUT', url: `${STUDENTS}/${id}`, payload: student(2, 'Cy'), headers: { 'if-match': etag } });
    expect(stalePut.statusCode).toBe(412);
    expect(JSON.parse(stalePut.body).type).toBe('urn:ed-fi:api:optimistic-lock-failed');
    expect((await node.app.inject({ method: 'DELETE', url: `${STUDENTS}/${id}`, headers: { 'if-match': etag } })).statusCode).toBe(412);
    expect(JSON.parse((await node.app.inject({ method: 'GET', url: `${STUDENTS}/${id}` })).body).firstName).toBe('Bea');
  });

  it('refuses to change a student identity through PUT', async () => {
    const id = await idOf(3);
    const response = await node.app.inject({ method: 'PUT', url: `${STUDENTS}/${id}`, payload: student(999) });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).type).toBe('urn:ed-fi:api:bad-request:key-change-not-supported');
  });

  it('never loses a concurrent update silently: with If-Match exactly one of the racers wins', async () => {
    const id = await idOf(4);
    const etag = (await node.app.inject({ method: 'GET', url: `${STUDENTS}/${id}` })).headers.etag as string;
    const racers = Array.from({ length: 8 }, (_, i) =>
      node.app.inject({ method: 'PUT', url: `${STUDENTS}/${id}`, payload: student(4, `Racer${i}`), headers: { 'if-match': etag } }),
    );
    const statuses = (await Promise.all(racers)).map((r) => r.statusCode).sort();
    expect(statuses).toEqual([204, 412, 412, 412, 412, 412, 412, 412]);
  });

  it('serializes concurrent POST upserts of one natural key into one document', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => post(STUDENTS, student(500, `Same${i}`))));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(7);
    expect(JSON.parse((await node.app.inject({ method: 'GET', url: STUDENTS, query: { studentUniqueId: 'P000500' } })).body)).toHaveLength(1);
  });
});

describe('Ed-Fi change queries', () => {
  it('reports available change versions, filters by change version and lists deletes with key values', async () => {
    const before = JSON.parse((await node.app.inject({ method: 'GET', url: '/changeQueries/v1/availableChangeVersions' })).body);
    expect(before.oldestChangeVersion).toBe(0);
    await post(STUDENTS, student(40));
    const changed = JSON.parse((await node.app.inject({ method: 'GET', url: STUDENTS, query: { minChangeVersion: String(before.newestChangeVersion + 1) } })).body);
    expect(changed.map((s: { studentUniqueId: string }) => s.studentUniqueId)).toEqual(['P000040']);
    const id = await idOf(40);
    expect((await node.app.inject({ method: 'DELETE', url: `${STUDENTS}/${id}` })).statusCode).toBe(204);
    const deletes = JSON.parse((await node.app.inject({ method: 'GET', url: `${STUDENTS}/deletes`, query: { minChangeVersion: String(before.newestChangeVersion + 1) } })).body);
    expect(deletes).toEqual([{ id, changeVersion: expect.any(Number), keyValues: { studentUniqueId: 'P000040' } }]);
    const after = JSON.parse((await node.app.inject({ method: 'GET', url: '/changeQueries/v1/availableChangeVersions' })).body);
    expect(after.newestChangeVersion).toBe(deletes[0].changeVersion);
  });
});

describe('Ed-Fi problem details', () => {
  const expectProblem = (response: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, type: string) => {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(response.body);
    expect(problem).toMatchObject({ type, status, title: expect.any(String), detail: expect.any(String), correlationId: expect.any(String) });
    expect(problem.validationErrors).toBeTypeOf('object');
    expect(Array.isArray(problem.errors)).toBe(true);
    return problem;
  };

  it('reports validation errors by JSON path', async () => {
    const problem = expectProblem(await post(STUDENTS, { ...student(50), birthDate: 'yesterday', lastSurname: 7 }), 400, 'urn:ed-fi:api:bad-request:data-validation-failed');
    expect(Object.keys(problem.validationErrors).sort()).toEqual(['$.birthDate', '$.lastSurname']);
    const missing = expectProblem(await post(STUDENTS, { studentUniqueId: 'X' }), 400, 'urn:ed-fi:api:bad-request:data-validation-failed');
    expect(missing.validationErrors['$.firstName']).toEqual(['is required.']);
  });

  it('answers malformed JSON, wrong content type, oversized bodies, unknown resources and ids', async () => {
    expectProblem(await node.app.inject({ method: 'POST', url: STUDENTS, payload: '{"a":', headers: { 'content-type': 'application/json' } }), 400, 'urn:ed-fi:api:bad-request');
    expectProblem(await node.app.inject({ method: 'POST', url: STUDENTS, payload: 'hello', headers: { 'content-type': 'text/plain' } }), 415, 'urn:ed-fi:api:unsupported-media-type');
    const huge = JSON.stringify({ ...student(51), firstName: 'x'.repeat(11 * 1024 * 1024) });
    expectProblem(await node.app.inject({ method: 'POST', url: STUDENTS, payload: huge, headers: { 'content-type': 'application/json' } }), 413, 'urn:ed-fi:api:bad-request');
    expectProblem(await node.app.inject({ method: 'GET', url: '/data/v3/ed-fi/dragons' }), 404, 'urn:ed-fi:api:not-found');
    expectProblem(await node.app.inject({ method: 'GET', url: `${STUDENTS}/${'0'.repeat(32)}` }), 404, 'urn:ed-fi:api:not-found');
    expectProblem(await post(STUDENTS, { ...student(52), id: 'a'.repeat(32) }), 400, 'urn:ed-fi:api:bad-request:data-validation-failed');
  });
});

describe('Ed-Fi request bodies (as ODS/API 7.x)', () => {
  it('ignores properties the resource does not define, at any depth, and does not store them', async () => {
    const body = { ...student(60), shoeSize: 9, otherNames: [{ otherNameTypeDescriptor: 'uri://ed-fi.org/OtherNameTypeDescriptor#Nickname', firstName: 'Al', lastSurname: 'B', nickname: 'x' }] };
    const created = await post(STUDENTS, body);
    expect(created.statusCode, created.body).toBe(201);
    const stored = JSON.parse((await node.app.inject({ method: 'GET', url: created.headers.location!.replace(/^https?:\/\/[^/]+/, '') })).body);
    expect(stored.shoeSize).toBeUndefined();
    expect(stored.otherNames).toEqual([{ otherNameTypeDescriptor: 'uri://ed-fi.org/OtherNameTypeDescriptor#Nickname', firstName: 'Al', lastSurname: 'B' }]);
  });

  it('treats a null value as an absent property: dropped when optional, "is required" when required', async () => {
    const created = await post(STUDENTS, { ...student(61), middleName: null, birthCity: null, otherNames: [{ otherNameTypeDescriptor: 'uri://ed-fi.org/OtherNameTypeDescriptor#Nickname', firstName: 'Al', lastSurname: 'B', middleName: null }] });
    expect(created.statusCode, created.body).toBe(201);
    const [stored] = JSON.parse((await node.app.inject({ method: 'GET', url: STUDENTS, query: { studentUniqueId: student(61).studentUniqueId } })).body);
    expect('middleName' in stored || 'birthCity' in stored).toBe(false);
    expect(stored.otherNames).toEqual([{ otherNameTypeDescriptor: 'uri://ed-fi.org/OtherNameTypeDescriptor#Nickname', firstName: 'Al', lastSurname: 'B' }]);
    const refused = await post(STUDENTS, { ...student(62), firstName: null });
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body).validationErrors).toEqual({ '$.firstName': ['is required.'] });
  });
});

describe('Ed-Fi discovery and metadata', () => {
  it('serves the discovery document, OpenAPI metadata and dependencies in reference order', async () => {
    const root = JSON.parse((await node.app.inject({ method: 'GET', url: '/' })).body);
    expect(root).toMatchObject({ version: expect.any(String), suite: '3', dataModels: expect.arrayContaining([expect.objectContaining({ name: 'Ed-Fi' })]) });
    expect(root.urls).toMatchObject({ dependencies: expect.stringMatching(/\/metadata\/data\/v3\/dependencies$/), oauth: expect.any(String), dataManagementApi: expect.any(String) });
    const swagger = JSON.parse((await node.app.inject({ method: 'GET', url: '/metadata/data/v3/resources/swagger.json' })).body);
    expect(swagger.paths['/ed-fi/students']).toBeDefined();
    expect(swagger.paths['/rex/studentHealthConditions']).toBeDefined();
    expect(swagger.components.schemas.edFi_student).toBeDefined();
    const descriptors = JSON.parse((await node.app.inject({ method: 'GET', url: '/metadata/data/v3/descriptors/swagger.json' })).body);
    expect(descriptors.paths['/ed-fi/sexDescriptors']).toBeDefined();
    const dependencies: Array<{ resource: string; order: number }> = JSON.parse((await node.app.inject({ method: 'GET', url: '/metadata/data/v3/dependencies' })).body);
    const order = (resource: string) => dependencies.find((d) => d.resource === resource)!.order;
    expect(order('/ed-fi/schools')).toBeLessThan(order('/ed-fi/studentSchoolAssociations'));
    expect(order('/ed-fi/students')).toBeLessThan(order('/ed-fi/studentSchoolAssociations'));
    expect(order('/ed-fi/studentSectionAssociations')).toBeLessThan(order('/ed-fi/grades'));
    expect(order('/ed-fi/sexDescriptors')).toBe(1);
  });
});
