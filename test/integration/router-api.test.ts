import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/config/load-config.js';
import { isIssuedBy } from '../../src/crypto/certificate-authority.js';
import { DistrictEntity, IssuedCertificateEntity } from '../../src/router/district-entity.js';
import { approveDistrict, endParticipation } from '../../src/router/registry.js';
import { prepareRouter, type PreparedRouter } from '../../src/router/start-router.js';
import { createTestDatabase } from '../support/database.js';
import { testDistrict, type TestDistrict } from '../support/district-keys.js';

let router: PreparedRouter;
const saguaro = testDistrict('0400001', 'Saguaro Unified School District', 'AZ', { cities: ['Mesa', 'Tempe'], zips: ['85201', '85281'] });
const lakes = testDistrict('2700001', 'Ten Lakes Public Schools', 'MN', { cities: ['Duluth'], zips: ['55802'] });
/** Registers in its own test; Nevada, so that it never shows in the Arizona directory the tests search. */
const newcomer = testDistrict('3200001', 'Great Basin School District', 'NV');

async function registerAndApprove(district: TestDistrict, when = new Date()) {
  const response = await district.call(router.app, 'POST', '/v1/registrations', district.registration());
  expect(response.statusCode).toBe(201);
  const approved = await approveDistrict(router.deps.orm.em.fork(), router.deps.ca, district.ncesId, 365, when);
  expect(approved.ok).toBe(true);
  router.deps.callers.invalidate(district.ncesId);
}

async function districtRow(ncesId: string) {
  return router.deps.orm.em.fork().findOne(DistrictEntity, { ncesId });
}

beforeAll(async () => {
  const url = await createTestDatabase('router');
  const config = checkConfig({ dataDir: mkdtempSync(join(tmpdir(), 'rex-router-')), databaseUrl: url, logLevel: 'silent' });
  router = await prepareRouter(config);
  await registerAndApprove(lakes);
  await registerAndApprove(saguaro);
});

afterAll(async () => {
  await router?.close();
});

describe('registration', () => {
  it('serves the terms and its OpenAPI document', async () => {
    const terms = await router.app.inject({ method: 'GET', url: '/v1/terms' });
    expect(terms.json()).toMatchObject({ version: '2026-01' });
    const doc = await router.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(doc.json()).toMatchObject({ openapi: '3.1.0' });
  });

  it('stores a valid registration as awaiting approval, then makes it Active with a CA-issued certificate for its own key', async () => {
    const response = await newcomer.call(router.app, 'POST', '/v1/registrations', newcomer.registration());
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      ncesId: '3200001',
      exchangeRegistration: { applicationName: 'rex-nv', registeredFrom: '127.0.0.1' },
      registeredBy: 'Administrator, System',
      exchangeStatus: 'Inactive',
      reason: 'Awaiting approval by the router operator',
      registrationState: 'pending',
      certificate: null,
    });
    const pending = await newcomer.call(router.app, 'GET', '/v1/status');
    expect(pending.json()).toMatchObject({ registrationState: 'pending', exchangeStatus: 'Inactive' });
    const noCertificate = await newcomer.call(router.app, 'GET', '/v1/certificate');
    expect(noCertificate.statusCode).toBe(404);
    expect(noCertificate.json().type).toBe('urn:rex:router:no-certificate');

    const approved = await approveDistrict(router.deps.orm.em.fork(), router.deps.ca, newcomer.ncesId, 365);
    expect(approved.ok).toBe(true);
    // The approval reaches the router's key cache through PostgreSQL NOTIFY, as the operator's CLI would.
    await expect.poll(async () => (await newcomer.call(router.app, 'GET', '/v1/status')).json().exchangeStatus).toBe('Active');
    const status = (await newcomer.call(router.app, 'GET', '/v1/status')).json();
    expect(status).toMatchObject({ exchangeStatus: 'Active', reason: null, registrationState: 'active' });
    const certificates = (await newcomer.call(router.app, 'GET', '/v1/certificate')).json();
    expect(isIssuedBy(certificates.certificate, certificates.routerCertificate)).toBe(true);
    const certificate = new X509Certificate(certificates.certificate);
    expect(certificate.subject).toContain('CN=3200001');
    expect(certificate.serialNumber.toLowerCase()).toBe(status.certificate.serial.toLowerCase());
  });

  it('stores a registration whose signature does not verify as Inactive, "Signature Validation failed"', async () => {
    const broken = testDistrict('0600009', 'Coastal Unified', 'CA');
    const response = await broken.call(router.app, 'POST', '/v1/registrations', broken.registration(), (headers) => {
      headers.signature = headers.signature!.replace(/[A-Za-z]/, (c) => (c === 'A' ? 'B' : 'A'));
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ exchangeStatus: 'Inactive', reason: 'Signature Validation failed', registrationState: 'invalid' });
    expect((await districtRow('0600009'))?.status).toBe('invalid');
    // An unsigned registration is treated the same way.
    const unsigned = testDistrict('0600010', 'Bayside Unified', 'CA');
    const plain = await router.app.inject({ method: 'POST', url: '/v1/registrations', payload: unsigned.registration() });
    expect(plain.json()).toMatchObject({ reason: 'Signature Validation failed' });
  });

  it('never lets another key displace an active district, and changes nothing', async () => {
    const impostor = testDistrict('0400001', 'Saguaro Unified School District', 'AZ');
    const response = await impostor.call(router.app, 'POST', '/v1/registrations', impostor.registration());
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect((await districtRow('0400001'))?.keyId).toBe(saguaro.keyId);
  });

  it('refuses terms it did not offer, bodies that are not valid, and a request for another district', async () => {
    const other = testDistrict('4800001', 'Prairie ISD', 'TX');
    const wrongTerms = await other.call(router.app, 'POST', '/v1/registrations', other.registration({ termsVersion: '1999-01' }));
    expect(wrongTerms.statusCode).toBe(400);
    expect(wrongTerms.json().type).toBe('urn:rex:router:terms-not-accepted');
    const badState = await other.call(router.app, 'POST', '/v1/registrations', other.registration({ district: { ncesId: '4800001', name: 'Prairie ISD', state: 'Texas' } }));
    expect(badState.statusCode).toBe(400);
    const mismatch = await other.call(router.app, 'POST', '/v1/registrations', other.registration({ district: { ncesId: '4800002', name: 'Prairie ISD', state: 'TX' } }));
    expect(mismatch.statusCode).toBe(400);
    const notJson = await router.app.inject({ method: 'POST', url: '/v1/registrations', headers: { 'content-type': 'application/json' }, payload: '{"district":' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().type).toBe('urn:rex:router:invalid-request');
    const huge = await router.app.inject({ method: 'POST', url: '/v1/registrations', headers: { 'content-type': 'application/json' }, payload: `{"x":"${'a'.repeat(2 * 1024 * 1024)}"}` });
    expect(huge.statusCode).toBe(413);
    expect(huge.headers['content-type']).toContain('application/problem+json');
    expect(await districtRow('4800001')).toBeNull();
  });
});

describe('signed calls', () => {
  it.each([
    ['unsigned', (h: Record<string, string>) => { delete h.signature; delete h['signature-input']; }, 401, 'signature-missing'],
    ['tampered', (h: Record<string, string>) => { h['signature-input'] = h['signature-input']!.replace(/created=\d+/, (m) => `${m.slice(0, -1)}${(Number(m.at(-1)) + 1) % 10}`); }, 401, 'signature-invalid'],
    ['stale', (h: Record<string, string>) => { h['signature-input'] = h['signature-input']!.replace(/created=\d+/, 'created=1000'); }, 401, 'signature-stale'],
  ])('refuses a %s call', async (_name, tamper, status, kind) => {
    const response = await saguaro.call(router.app, 'GET', '/v1/directory?state=MN', undefined, tamper);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toMatchObject({ type: `urn:rex:router:${kind}`, status });
  });

  it('refuses a replayed call', async () => {
    let captured: Record<string, string> = {};
    const first = await saguaro.call(router.app, 'GET', '/v1/directory?state=MN', undefined, (h) => (captured = { ...h }));
    expect(first.statusCode).toBe(200);
    const replay = await router.app.inject({ method: 'GET', url: '/v1/directory?state=MN', headers: captured });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().type).toBe('urn:rex:router:replayed');
  });

  it('lets exactly one of the same signed call sent many times at once through', async () => {
    // Signatures are verified off the event loop, so copies of one call are checked side by side.
    let captured: Record<string, string> = {};
    await saguaro.call(router.app, 'GET', '/v1/status', undefined, (h) => {
      captured = { ...h };
      h['signature-input'] = '';
    });
    const answers = await Promise.all(Array.from({ length: 8 }, () => router.app.inject({ method: 'GET', url: '/v1/status', headers: captured })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 401, 401, 401, 401, 401, 401, 401]);
    expect(answers.filter((a) => a.statusCode === 401).every((a) => a.json().type === 'urn:rex:router:replayed')).toBe(true);
  });

  it('refuses a call signed by an unknown key', async () => {
    const stranger = testDistrict('5500001', 'Unknown District', 'WI');
    const response = await stranger.call(router.app, 'GET', '/v1/status');
    expect(response.statusCode).toBe(401);
    expect(response.json().type).toBe('urn:rex:router:unknown-key');
  });

  it('refuses calls made with an expired certificate', async () => {
    const old = testDistrict('0800001', 'Front Range School District', 'CO');
    await registerAndApprove(old, new Date(Date.now() - 400 * 86_400_000));
    const response = await old.call(router.app, 'GET', '/v1/directory?state=AZ');
    expect(response.statusCode).toBe(403);
    expect(response.json().type).toBe('urn:rex:router:certificate-expired');
  });
});

describe('directory', () => {
  it('finds active districts by state, city and zip, best match first', async () => {
    const byState = await lakes.call(router.app, 'GET', '/v1/directory?state=AZ');
    expect(byState.json().districts.map((d: { ncesId: string }) => d.ncesId)).toEqual(['0400001']);
    const byCity = await lakes.call(router.app, 'GET', '/v1/directory?state=az&city=tempe');
    expect(byCity.json().districts[0]).toMatchObject({ ncesId: '0400001', cities: ['Mesa', 'Tempe'] });
    const byZip = await lakes.call(router.app, 'GET', '/v1/directory?state=AZ&zip=85201&name=Saguaro');
    expect(byZip.json().districts[0].ncesId).toBe('0400001');
    const nothing = await lakes.call(router.app, 'GET', '/v1/directory?state=AZ&city=Flagstaff');
    expect(nothing.json().districts).toEqual([]);
  });

  it('answers a search without a state with a clear 400', async () => {
    const response = await lakes.call(router.app, 'GET', '/v1/directory?city=Mesa');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ type: 'urn:rex:router:invalid-request', detail: 'state is required' });
  });

  it('lists only active districts and lets only active districts search', async () => {
    const pending = testDistrict('0400002', 'Desert Sky Unified', 'AZ', { cities: ['Mesa'], zips: ['85201'] });
    await pending.call(router.app, 'POST', '/v1/registrations', pending.registration());
    const list = await lakes.call(router.app, 'GET', '/v1/directory?state=AZ&city=Mesa');
    expect(list.json().districts.map((d: { ncesId: string }) => d.ncesId)).toEqual(['0400001']);
    const search = await pending.call(router.app, 'GET', '/v1/directory?state=AZ');
    expect(search.statusCode).toBe(403);
    expect(search.json().type).toBe('urn:rex:router:district-inactive');
  });
});

describe('withdrawal and revocation', () => {
  it('withdrawal revokes the certificate, removes the district and refuses its later calls', async () => {
    const leaving = testDistrict('2700002', 'North Shore Schools', 'MN', { cities: ['Two Harbors'], zips: ['55616'] });
    await registerAndApprove(leaving);
    const withdrawn = await leaving.call(router.app, 'POST', '/v1/withdrawal', { reason: 'consolidated' });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json()).toMatchObject({ exchangeStatus: 'Inactive', registrationState: 'withdrawn' });
    const search = await saguaro.call(router.app, 'GET', '/v1/directory?state=MN&city=Two Harbors');
    expect(search.json().districts).toEqual([]);
    for (const [method, path] of [['GET', '/v1/status'], ['GET', '/v1/directory?state=AZ'], ['POST', '/v1/withdrawal']] as const) {
      const response = await leaving.call(router.app, method, path, method === 'POST' ? {} : undefined);
      expect(response.statusCode).toBe(403);
      expect(response.json().type).toBe('urn:rex:router:certificate-revoked');
    }
    const again = await leaving.call(router.app, 'POST', '/v1/registrations', leaving.registration());
    expect(again.statusCode).toBe(409);
    const row = await districtRow(leaving.ncesId);
    const certificate = await router.deps.orm.em.fork().findOneOrFail(IssuedCertificateEntity, { serial: row!.certificateSerial! });
    expect(certificate).toMatchObject({ ncesId: leaving.ncesId, revocationReason: 'consolidated' });
    expect(certificate.revokedAt).toBeInstanceOf(Date);
  });

  it('of two operators approving the same registration at once, one wins and one certificate is issued', async () => {
    const contested = testDistrict('3500004', 'Mesa Verde Schools', 'NM');
    expect((await contested.call(router.app, 'POST', '/v1/registrations', contested.registration())).statusCode).toBe(201);
    const results = await Promise.all([1, 2].map(() => approveDistrict(router.deps.orm.em.fork(), router.deps.ca, contested.ncesId, 365)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const refused = results.find((r) => !r.ok);
    // The loser either read the registration before the winner wrote it (its version moved on) or after.
    expect(refused?.ok === false && refused.refusal.kind).toMatch(/^(concurrent-change|wrong-state)$/);
    const issued = await router.deps.orm.em.fork().find(IssuedCertificateEntity, { ncesId: contested.ncesId });
    expect(issued).toHaveLength(1);
    expect((await districtRow(contested.ncesId))!.certificateSerial).toBe(issued[0]!.serial);
  });

  it('operator revocation takes effect at once, also when made by another process', async () => {
    const revoked = testDistrict('0400003', 'Canyon Ridge Unified', 'AZ');
    await registerAndApprove(revoked);
    expect((await revoked.call(router.app, 'GET', '/v1/directory?state=MN')).statusCode).toBe(200);
    // Revoke through the database without telling this app directly: the NOTIFY must reach its cache.
    const result = await endParticipation(router.deps.orm.em.fork(), revoked.ncesId, 'revoked', 'policy breach');
    expect(result.ok).toBe(true);
    await expect.poll(async () => (await revoked.call(router.app, 'GET', '/v1/status')).statusCode).toBe(403);
    const response = await revoked.call(router.app, 'GET', '/v1/status');
    expect(response.json()).toMatchObject({ type: 'urn:rex:router:certificate-revoked' });
    expect(response.json().detail).toContain('policy breach');
  });
});
