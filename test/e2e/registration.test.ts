import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateRequest } from '../../src/crypto/certificate-authority.js';
import { signRequest, signableFromUrl } from '../../src/crypto/http-signature.js';
import { generateRsaKeyPair, keyIdOf } from '../../src/crypto/keys.js';
import { findFreePort } from '../../src/storage/embedded-postgres.js';
import { createTestDatabase } from '../support/database.js';
import { runRex, startRex, stopProcess } from '../support/processes.js';

/**
 * A router and two district nodes as separate processes over real HTTP, driven
 * by the rex CLI as an administrator and an operator would drive them.
 */
const dir = mkdtempSync(join(tmpdir(), 'rex-e2e-registration-'));
const processes: ChildProcess[] = [];
let routerUrl = '';
let routerConfig = '';
const districts = {
  desert: { ncesId: '0499911', name: 'Desert Wells Unified School District', state: 'AZ', config: '', databaseUrl: '' },
  prairie: { ncesId: '3199911', name: 'Prairie Plains Public Schools', state: 'NE', config: '', databaseUrl: '' },
};

beforeAll(async () => {
  const routerPort = await findFreePort();
  routerUrl = `http://127.0.0.1:${routerPort}`;
  routerConfig = writeConfig('router', {
    dataDir: join(dir, 'router'),
    databaseUrl: await createTestDatabase('router'),
    logLevel: 'warn',
    http: { host: '127.0.0.1', port: routerPort },
  });
  processes.push(await startRex(['router', '--config', routerConfig], `${routerUrl}/healthz`));
  for (const [key, district] of Object.entries(districts)) {
    const port = await findFreePort();
    district.databaseUrl = await createTestDatabase('node');
    district.config = writeConfig(key, {
      dataDir: join(dir, key),
      databaseUrl: district.databaseUrl,
      logLevel: 'warn',
      http: { host: '127.0.0.1', port },
      node: { district: { ncesId: district.ncesId, name: district.name, state: district.state }, routerUrl, applicationName: `rex-${key}` },
    });
    processes.push(await startRex(['node', '--config', district.config], `http://127.0.0.1:${port}/healthz`));
  }
}, 120_000);

afterAll(async () => {
  for (const child of processes) await stopProcess(child);
});

/** The city and zip of the district's first school, as its node stored them. */
async function firstSchoolPlace(databaseUrl: string): Promise<{ city: string; zip: string }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT body->'addresses'->0->>'city' AS city, body->'addresses'->0->>'postalCode' AS zip FROM edfi_document WHERE resource = 'ed-fi/schools' ORDER BY seq LIMIT 1`,
    );
    return rows[0] as { city: string; zip: string };
  } finally {
    await client.end();
  }
}

function writeConfig(name: string, config: object): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('registration, approval, directory and withdrawal across processes', () => {
  // One test, because its steps are one story about the same district (each step builds on the one before),
  // so no test depends on another's having run.
  it('shows the terms, registers, becomes Active on approval, is found in the directory, and is gone and refused after withdrawal', async () => {
    // The terms come first, and nothing is registered until they are accepted.
    const run = await runRex(['node', 'register', '--config', districts.desert.config]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('TERMS OF SERVICE');
    expect(run.stderr).toContain('--accept-terms');
    const list = await runRex(['router', 'districts', '--config', routerConfig]);
    expect(list.stdout).not.toContain(districts.desert.ncesId);

    // It registers, waits for approval, and becomes Active once the operator approves. A district with students: registration sends the cities and zips that hold more than 1% of them.
    const seeded = await runRex(['node', 'seed', '--students', '40', '--config', districts.desert.config]);
    expect(seeded.code, seeded.stderr).toBe(0);
    const registered = await runRex(['node', 'register', '--accept-terms', '--by', 'Registrar, Rita', '--config', districts.desert.config]);
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.stdout).toContain('Exchange Status: Inactive');
    expect(registered.stdout).toContain('Awaiting approval by the router operator');

    const approved = await runRex(['router', 'approve', districts.desert.ncesId, '--config', routerConfig]);
    expect(approved.code, approved.stderr).toBe(0);

    const status = await runRex(['node', 'status', '--config', districts.desert.config]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Exchange Registration: Registered from: 127\.0\.0\.1, Application Name: rex-desert/);
    expect(status.stdout).toMatch(/Registered By: Registrar, Rita at \d\d\/\d\d\/\d{4} \d\d:\d\d/);
    expect(status.stdout).toContain('Exchange Status: Active');

    // Another active district finds it in the directory by state, and by city and zip.
    expect((await runRex(['node', 'register', '--accept-terms', '--config', districts.prairie.config])).code).toBe(0);
    expect((await runRex(['router', 'approve', districts.prairie.ncesId, '--config', routerConfig])).code).toBe(0);
    const found = await runRex(['node', 'directory', '--state', 'AZ', '--config', districts.prairie.config]);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toContain(`${districts.desert.ncesId}  ${districts.desert.name}, AZ`);

    const { city, zip } = await firstSchoolPlace(districts.desert.databaseUrl);
    const byCityAndZip = await runRex(['node', 'directory', '--state', 'AZ', '--city', city, '--zip', zip, '--config', districts.prairie.config]);
    expect(byCityAndZip.code, byCityAndZip.stderr).toBe(0);
    const best = byCityAndZip.stdout.split('\n')[0];
    expect(best).toContain(districts.desert.ncesId);
    expect(best).toContain(city);
    expect(best).toContain(zip);
    const elsewhere = await runRex(['node', 'directory', '--state', 'AZ', '--city', 'Nowhere Junction', '--zip', '00001', '--config', districts.prairie.config]);
    expect(elsewhere.stdout).not.toContain(districts.desert.ncesId);
    const missingState = await runRex(['node', 'directory', '--city', 'Phoenix', '--config', districts.prairie.config]);
    expect(missingState.code).toBe(2);
    expect(missingState.stderr).toContain('--state is required');

    // After withdrawal the district is gone from the directory and its signed calls are refused.
    const withdrawn = await runRex(['node', 'withdraw', '--reason', 'joining a consortium', '--config', districts.desert.config]);
    expect(withdrawn.code, withdrawn.stderr).toBe(0);
    expect(withdrawn.stdout).toContain('Exchange Status: Inactive');
    expect(withdrawn.stdout).toContain('Withdrawn from the exchange: joining a consortium');

    const search = await runRex(['node', 'directory', '--state', 'AZ', '--config', districts.prairie.config]);
    expect(search.stdout).not.toContain(districts.desert.ncesId);
    expect(search.stdout).toContain('no active district matches');

    const refusedSearch = await runRex(['node', 'directory', '--state', 'NE', '--config', districts.desert.config]);
    expect(refusedSearch.code).toBe(1);
    expect(refusedSearch.stderr).toContain('refused (403)');
    const afterwards = await runRex(['node', 'status', '--config', districts.desert.config]);
    expect(afterwards.code).toBe(1);
    expect(afterwards.stderr).toContain('Exchange Status: Inactive');
    expect(afterwards.stderr).toContain('Withdrawn from the exchange');
  }, 300_000);

  it('stores a registration with a broken signature as Inactive, "Signature Validation failed"', async () => {
    const keys = generateRsaKeyPair();
    const district = { ncesId: '3199912', name: 'Sandhills Schools', state: 'NE' };
    const body = JSON.stringify({
      district,
      endpoint: 'http://127.0.0.1:9/',
      deliveryMode: 'pull',
      termsVersion: '2026-01',
      applicationName: 'rex-sandhills',
      registeredBy: 'Administrator, System',
      certificateRequest: createCertificateRequest(keys, district),
      localities: { cities: ['Valentine'], zips: ['69201'] },
    });
    const url = `${routerUrl}/v1/registrations`;
    const headers = { 'content-type': 'application/json' };
    const signature = signRequest(signableFromUrl('POST', url, headers), body, { keyId: keyIdOf(keys.publicKeyPem), privateKey: keys.privateKeyPem });
    // Sign one body, send another: the signature no longer verifies.
    const sent = body.replace('Valentine', 'Ainsworth');
    const response = await fetch(url, { method: 'POST', headers: { ...headers, ...signature, 'content-digest': signRequest(signableFromUrl('POST', url), sent, { keyId: 'x', privateKey: keys.privateKeyPem })['content-digest'] }, body: sent });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ exchangeStatus: 'Inactive', reason: 'Signature Validation failed' });
    const list = await runRex(['router', 'districts', '--config', routerConfig]);
    expect(list.stdout).toMatch(/3199912 {2}NE {2}invalid .*Signature Validation failed/);
  });
});
