import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { enrolCopy, eventually, seedStudents, startTransferNetwork, userWith, type TestDistrictNode, type TransferNetwork } from '../support/transfer-network.js';

/**
 * The national records-transfer workflow (DESIGN §6) between district nodes
 * wired through a real router over HTTP, all in this process: request,
 * automatic matching, Process Alerts, release or rejection by a person or
 * automatically, sealed packets, receipt, history and the FERPA log.
 */
let network: TransferNetwork;
let requester: TestDistrictNode;
let releaser: TestDistrictNode;
let autoReleaser: TestDistrictNode;
let released: string[];
let autoReleased: string[];
const auth: Record<string, Record<string, string>> = {};

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(district: TestDistrictNode, user: string | undefined, method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return district.node.app.inject({ method, url, ...(payload ? { payload } : {}), headers: { ...headers, ...(user ? { authorization: auth[district.ncesId]![user]! } : {}) } });
}

async function transferOf(district: TestDistrictNode, id: string): Promise<Json> {
  const response = await call(district, 'clerk', 'GET', `/transfers/${id}`);
  expect(response.statusCode).toBe(200);
  return response.json();
}

/** The releasing side's copy of a request, once matching has run. */
async function incoming(district: TestDistrictNode, requestedName: string, status: string): Promise<Json> {
  return eventually(async () => {
    const list = (await call(district, 'clerk', 'GET', '/transfers')).json().transfers as Json[];
    return list.find((t) => t.side === 'releasing' && t.name === requestedName && t.status === status);
  }, `a ${status} request for ${requestedName} at ${district.name}`);
}

async function waitStatus(district: TestDistrictNode, id: string, status: string): Promise<Json> {
  return eventually(async () => {
    const t = await transferOf(district, id);
    return t.status === status ? t : undefined;
  }, `transfer ${id} to be ${status} at ${district.name}`);
}

async function request(studentUniqueId: string, from: TestDistrictNode, comments = 'Enrolled this week'): Promise<Json> {
  const response = await call(requester, 'clerk', 'POST', '/transfers', { studentUniqueId, releasingDistrict: from.ncesId, comments });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

beforeAll(async () => {
  network = await startTransferNetwork([
    { ncesId: '0400201', name: 'Mesa Verde Unified', state: 'AZ' },
    { ncesId: '2700201', name: 'North Star Public Schools', state: 'MN' },
    { ncesId: '3100201', name: 'Platte Valley Schools', state: 'NE', settings: { deliveryMode: 'pull', pollIntervalMs: 100, transfer: { autoReleaseExactMatches: true } } },
  ]);
  [requester, releaser, autoReleaser] = network.nodes as [TestDistrictNode, TestDistrictNode, TestDistrictNode];
  await seedStudents(requester, 2, 11);
  released = await seedStudents(releaser, 6, 22);
  autoReleased = await seedStudents(autoReleaser, 2, 33);
  for (const district of network.nodes) {
    auth[district.ncesId] = {
      clerk: await userWith(district, 'clerk', ['records-transfer', 'student-records-transfer', 'notify-process-inbox']),
      // HTTP Basic for one user, so both ways of authenticating are exercised.
      viewer: await userWith(district, 'viewer', ['national-records-exchange'], true),
      importer: await userWith(district, 'importer', ['import-transcripts']),
    };
  }
}, 240_000);

afterAll(async () => {
  await network?.close();
});

describe('exact match with manual release', () => {
  it('matches automatically, waits in Process Alerts, releases with comments, and the requester receives a sealed packet', async () => {
    const local = await enrolCopy(releaser, requester, released[0]!);
    const sent = await request(local, releaser);
    expect(sent).toMatchObject({ side: 'requesting', status: 'requested', studentUniqueId: local, releasingDistrict: { ncesId: releaser.ncesId, name: 'North Star Public Schools' } });

    const pending = await incoming(releaser, sent.name, 'pending-release');
    expect(pending.studentUniqueId).toBe(released[0]);
    expect(pending.requestingDistrict).toEqual({ ncesId: requester.ncesId, name: 'Mesa Verde Unified' });
    const alerts = (await call(releaser, 'clerk', 'GET', '/process-alerts')).json();
    expect(alerts.incoming.map((t: Json) => t.id)).toContain(pending.id);
    await waitStatus(requester, sent.id, 'pending-release');

    const release = await call(releaser, 'clerk', 'POST', `/transfers/${pending.id}/release`, { comments: 'Call us with questions' });
    expect(release.statusCode, release.body).toBe(200);
    expect(release.json()).toMatchObject({ status: 'released', decidedBy: { username: 'clerk' }, decisionComments: 'Call us with questions' });

    const received = await waitStatus(requester, sent.id, 'received');
    expect(received.history.map((e: Json) => e.status)).toEqual(['requested', 'pending-release', 'released', 'received']);
    expect(received.decidedBy).toMatchObject({ username: 'clerk' });
    const notes = (await call(requester, 'clerk', 'GET', '/process-alerts')).json().notifications as Json[];
    expect(notes.some((n) => n.transferId === sent.id && n.status === 'received')).toBe(true);

    const packet = await call(requester, 'importer', 'GET', `/transfers/${sent.id}/packet`);
    expect(packet.statusCode, packet.body).toBe(200);
    const body = packet.json();
    expect(body.student.studentUniqueId).toBe(released[0]);
    expect(body.releasedBy).toMatchObject({ username: 'clerk' });
    expect(body.redisclosureNotice).toContain('99.33');
    expect(body.recordTypes).toEqual(expect.arrayContaining(['demographics', 'enrollment-history', 'transcripts', 'schedules']));
    expect(body.records['ed-fi/students'][0].studentUniqueId).toBe(released[0]);
    expect(body.records['ed-fi/studentSchoolAssociations'].length).toBeGreaterThan(0);

    const stored = await requester.orm.em.fork().execute<Array<{ ciphertext: Buffer }>>(`SELECT ciphertext FROM records_transfer_packet WHERE transfer_id = ?`, [sent.id]);
    expect(stored[0]!.ciphertext.includes(Buffer.from(body.records['ed-fi/students'][0].lastSurname))).toBe(false);

    const requesterLog = (await call(requester, 'clerk', 'GET', `/students/${local}/disclosures`)).json().disclosures as Json[];
    expect(requesterLog.map((d) => d.action).sort()).toEqual(['receipt', 'request', 'view']);
    expect(requesterLog.find((d) => d.action === 'view')).toMatchObject({ actor: { username: 'importer' }, redisclosureNotice: true, district: { ncesId: releaser.ncesId } });
    const releaserLog = (await call(releaser, 'clerk', 'GET', `/students/${released[0]}/disclosures`)).json().disclosures as Json[];
    expect(releaserLog.map((d) => d.action).sort()).toEqual(['release', 'request']);
    expect(releaserLog.find((d) => d.action === 'release')).toMatchObject({ redisclosureNotice: true, district: { ncesId: requester.ncesId }, legalBasis: expect.stringContaining('99.31(a)(2)') });
  });

  it('never lets the router see the records: what it queued or logged holds no student name', async () => {
    const rows = await network.router.deps.orm.em.fork().execute<Array<{ body: Buffer }>>(`SELECT body FROM zone_delivery`);
    const names = await releaser.orm.em.fork().execute<Array<{ last: string }>>(`SELECT body->>'lastSurname' AS last FROM edfi_document WHERE resource = 'ed-fi/students'`);
    for (const row of rows) for (const n of names) expect(row.body.includes(Buffer.from(`>${n.last}<`))).toBe(false);
  });
});

describe('automatic release', () => {
  it('releases an exact match without a person when the district opted in (pull delivery)', async () => {
    const local = await enrolCopy(autoReleaser, requester, autoReleased[0]!);
    const sent = await request(local, autoReleaser);
    const received = await waitStatus(requester, sent.id, 'received');
    expect(received.decidedBy).toMatchObject({ username: 'system' });
    const theirs = await incoming(autoReleaser, sent.name, 'released');
    expect(theirs.history.map((e: Json) => [e.status, e.actor])).toEqual([
      ['requested', `district:${requester.ncesId}`],
      ['pending-release', 'matching'],
      ['released', 'system'],
    ]);
  });
});

describe('match errors', () => {
  it('records no match with near candidates, sends the error report, and releases only after a person chooses', async () => {
    const local = await enrolCopy(releaser, requester, released[1]!, (student) => {
      const [y, m, d] = String(student.birthDate).split('-');
      student.birthDate = `${y}-${m}-${d === '01' ? '02' : '01'}`;
    });
    const sent = await request(local, releaser);
    const error = await incoming(releaser, sent.name, 'match-error');
    expect(error.studentUniqueId).toBeNull();
    expect(error.candidates).toEqual([expect.objectContaining({ studentId: released[1], exact: false, differences: [expect.stringContaining('birth date')] })]);
    expect((await call(releaser, 'clerk', 'POST', `/transfers/${error.id}/release`)).statusCode).toBe(409);

    expect((await call(releaser, 'clerk', 'POST', `/transfers/${error.id}/error-report`)).statusCode).toBe(200);
    const told = await waitStatus(requester, sent.id, 'match-error');
    expect(told.history.at(-1).note).toContain('Exact match not found');

    expect((await call(releaser, 'clerk', 'POST', `/transfers/${error.id}/choose-candidate`, { studentUniqueId: released[0] })).statusCode).toBe(422);
    const chosen = await call(releaser, 'clerk', 'POST', `/transfers/${error.id}/choose-candidate`, { studentUniqueId: released[1], comments: 'Birth date typo confirmed by phone' });
    expect(chosen.statusCode, chosen.body).toBe(200);
    expect(chosen.json()).toMatchObject({ status: 'pending-release', studentUniqueId: released[1] });
    const release = await call(releaser, 'clerk', 'POST', `/transfers/${error.id}/release`);
    expect(release.statusCode, release.body).toBe(200);
    const received = await waitStatus(requester, sent.id, 'received');
    expect(received.history.map((e: Json) => e.status)).toEqual(['requested', 'match-error', 'pending-release', 'released', 'received']);
  });

  it('never picks one of several exact matches, and a rejection travels back with its comments', async () => {
    const twin = await enrolCopy(releaser, releaser, released[2]!, (_student, seoa) => delete seoa.studentIdentificationCodes, `T${released[2]}`);
    const local = await enrolCopy(releaser, requester, released[2]!, (_student, seoa) => delete seoa.studentIdentificationCodes);
    const sent = await request(local, releaser);
    const error = await incoming(releaser, sent.name, 'match-error');
    expect(error.candidates.map((c: Json) => [c.studentId, c.exact]).sort()).toEqual([[released[2], true], [twin, true]].sort());
    const rejected = await call(releaser, 'clerk', 'POST', `/transfers/${error.id}/reject`, { comments: 'Please call the registrar' });
    expect(rejected.statusCode, rejected.body).toBe(200);
    const theirs = await waitStatus(requester, sent.id, 'rejected');
    expect(theirs).toMatchObject({ decisionComments: 'Please call the registrar', decidedBy: { username: 'clerk' } });
    expect((await call(requester, 'clerk', 'GET', `/transfers/${sent.id}/packet`)).statusCode).toBe(404);
  });
});

describe('concurrent decisions and rights', () => {
  it('lets exactly one of a release and a rejection at the same time win', async () => {
    const local = await enrolCopy(releaser, requester, released[3]!);
    const sent = await request(local, releaser);
    const pending = await incoming(releaser, sent.name, 'pending-release');
    const outcomes = await Promise.all([
      call(releaser, 'clerk', 'POST', `/transfers/${pending.id}/release`, { comments: 'yes' }),
      call(releaser, 'clerk', 'POST', `/transfers/${pending.id}/reject`, { comments: 'no' }),
    ]);
    expect(outcomes.map((o) => o.statusCode).sort()).toEqual([200, 409]);
    const loser = outcomes.find((o) => o.statusCode === 409)!;
    expect(loser.headers['content-type']).toContain('application/problem+json');
    expect(loser.json().type).toMatch(/^urn:rex:node:/);
    const final = await transferOf(releaser, pending.id);
    expect(final.history.filter((e: Json) => e.status === 'released' || e.status === 'rejected')).toHaveLength(1);
    await waitStatus(requester, sent.id, final.status === 'released' ? 'received' : 'rejected');
  });

  it('answers a stale If-Match with 412', async () => {
    const local = await enrolCopy(releaser, requester, released[4]!);
    const sent = await request(local, releaser);
    const pending = await incoming(releaser, sent.name, 'pending-release');
    const stale = await call(releaser, 'clerk', 'POST', `/transfers/${pending.id}/reject`, {}, { 'if-match': `"${pending.version - 1}"` });
    expect(stale.statusCode).toBe(412);
    const fresh = await call(releaser, 'clerk', 'POST', `/transfers/${pending.id}/reject`, {}, { 'if-match': `"${pending.version}"` });
    expect(fresh.statusCode).toBe(200);
  });

  it('refuses without credentials (401) and without the tool right (403), changing nothing', async () => {
    const routes: Array<['GET' | 'POST', string, object?]> = [
      ['POST', '/transfers', { studentUniqueId: 'x', releasingDistrict: releaser.ncesId }],
      ['GET', '/transfers'],
      ['GET', '/process-alerts'],
      ['POST', '/transfers/00000000-0000-4000-8000-000000000000/release', {}],
      ['POST', '/transfers/00000000-0000-4000-8000-000000000000/reject', {}],
      ['POST', '/transfers/00000000-0000-4000-8000-000000000000/choose-candidate', { studentUniqueId: 'x' }],
      ['GET', '/transfers/00000000-0000-4000-8000-000000000000/packet'],
      ['GET', '/students/x/disclosures'],
    ];
    const before = (await call(requester, 'clerk', 'GET', '/transfers')).json().transfers.length;
    for (const [method, url, payload] of routes) {
      const anonymous = await call(requester, undefined, method, url, payload);
      expect(anonymous.statusCode, `${method} ${url}`).toBe(401);
      expect(anonymous.json().type).toBe('urn:rex:node:unauthenticated');
      const viewer = await call(requester, 'viewer', method, url, payload);
      expect(viewer.statusCode, `${method} ${url}`).toBe(403);
      expect(viewer.json().type).toBe('urn:rex:node:missing-right');
    }
    expect((await call(requester, 'clerk', 'GET', '/transfers')).json().transfers.length).toBe(before);
  });

  it('serves every operation openapi/node-transfer.json documents', () => {
    const document = JSON.parse(readFileSync(new URL('../../openapi/node-transfer.json', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => ({ method: method.toUpperCase(), url: path.replace(/\{(\w+)\}/g, ':$1') })));
    expect(operations.length).toBeGreaterThanOrEqual(10);
    for (const operation of operations) expect(requester.node.app.hasRoute(operation as { method: 'GET'; url: string }), `${operation.method} ${operation.url}`).toBe(true);
  });

  it('refuses requests for unknown students and districts with problems', async () => {
    const unknownStudent = await call(requester, 'clerk', 'POST', '/transfers', { studentUniqueId: 'NOPE', releasingDistrict: releaser.ncesId });
    expect(unknownStudent.statusCode).toBe(404);
    const [own] = await requester.orm.em.fork().execute<Array<{ id: string }>>(`SELECT identity->>'studentUniqueId' AS id FROM edfi_document WHERE resource = 'ed-fi/students' LIMIT 1`);
    const unknownDistrict = await call(requester, 'clerk', 'POST', '/transfers', { studentUniqueId: own!.id, releasingDistrict: '0999999' });
    expect(unknownDistrict.statusCode).toBe(422);
    expect(unknownDistrict.json().type).toBe('urn:rex:node:unknown-district');
    const bad = await call(requester, 'clerk', 'POST', '/transfers', { studentUniqueId: own!.id, releasingDistrict: 'MN' });
    expect(bad.statusCode).toBe(400);
  });
});
