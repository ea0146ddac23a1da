import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNodeApp } from '../../src/http/node-app.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { decodeSif, encodeSif } from '../../src/sif/sif-codec.js';
import { newHeader, SIF_VERSION } from '../../src/sif/sif-message.js';
import { openDatabase } from '../../src/storage/database.js';
import { createUser } from '../../src/users/user-store.js';
import { DEFAULT_ZONES_DIR, readZoneFolder } from '../../src/zones/zone-definition.js';
import { admitTemplateAgent, agentRights, listZones, replaceZones, saveZone } from '../../src/zones/zone-store.js';
import { createTestDatabase } from '../support/database.js';
import { testNodeConfig } from '../support/node-config.js';

let orm: MikroORM;
let app: FastifyInstance;
const admin = `Basic ${Buffer.from('zoneadmin:correct horse battery').toString('base64')}`;
const clerk = `Basic ${Buffer.from('clerk:correct horse battery').toString('base64')}`;

/** A node on a fresh database of its own, as at its first start. */
async function startNode(): Promise<{ orm: MikroORM; app: FastifyInstance }> {
  const url = await createTestDatabase('node');
  const orm = await openDatabase(url, nodeSchema, 10);
  const config = testNodeConfig(url);
  return { orm, app: await buildNodeApp({ config, orm }) };
}

beforeAll(async () => {
  ({ orm, app } = await startNode());
  await createUser(orm.em.fork(), { username: 'zoneadmin', displayName: 'Admin, Zone', password: 'correct horse battery', rights: ['zone-administration'] });
  await createUser(orm.em.fork(), { username: 'clerk', displayName: 'Clerk, Records', password: 'correct horse battery', rights: ['records-transfer'] });
});

afterAll(async () => {
  await app?.close();
  await orm?.close(true);
});

const sisZone = (): Record<string, any> => JSON.parse(readFileSync(join(DEFAULT_ZONES_DIR, 'district-sis.json'), 'utf8'));

describe('zone files', () => {
  it('the shipped zone files are valid, and the node seeded its own zone from them on first start', async () => {
    const folder = readZoneFolder();
    expect(folder.kind).toBe('ok');
    if (folder.kind === 'ok') expect(folder.zones.map((z) => z.id).sort()).toEqual(['NationalRouter', 'district-sis']);
    // Its own node: other tests of this file store more zones.
    const first = await startNode();
    try {
      expect((await listZones(first.orm.em.fork())).map((z) => z.id)).toEqual(['district-sis']);
    } finally {
      await first.app.close();
      await first.orm.close(true);
    }
  });

  it('validates every file before changing anything: one bad file leaves every zone as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rex-zones-'));
    cpSync(DEFAULT_ZONES_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...sisZone(), id: 'broken', agents: [{ sourceId: 'X', name: 'X', rights: { Spaceship: ['Provide'] } }] }));
    writeFileSync(join(dir, 'not-json.json'), '{');
    const folder = readZoneFolder(dir);
    expect(folder.kind).toBe('invalid');
    if (folder.kind === 'invalid') {
      expect(folder.problems.join('\n')).toContain('broken.json: /agents/0/rights/Spaceship is not a SIF US 2.4 object');
      expect(folder.problems.join('\n')).toContain('not-json.json: not valid JSON');
    }
  });

  it('replaces the zones of one owner in one transaction and admits template agents with the template rights', async () => {
    const folder = readZoneFolder();
    if (folder.kind !== 'ok') throw new Error('invalid');
    const em = orm.em.fork();
    const national = folder.zones.find((z) => z.id === 'NationalRouter')!;
    await em.transactional((tx) => saveZone(tx, national));
    expect(await admitTemplateAgent(em, 'NationalRouter', '0499901', 'Saguaro USD')).toMatchObject({ kind: 'ok' });
    expect(await admitTemplateAgent(em, 'NationalRouter', 'hacker', 'x')).toMatchObject({ kind: 'invalid' });
    expect(await agentRights(em, 'NationalRouter', '0499901')).toEqual({
      SIF_LogEntry: ['PublishAdd', 'Subscribe'],
      StudentRecordExchange: ['Request', 'Respond'],
      StudentRecordPackage: ['Request', 'Respond'],
    });
    await replaceZones(em, folder.zones.filter((z) => z.owner === 'node'), 'node');
    expect((await listZones(em)).map((z) => z.id).sort()).toEqual(['NationalRouter', 'district-sis']);
  });
});

describe('zone admin API', () => {
  it('needs a user with the zone-administration tool right', async () => {
    expect((await app.inject({ method: 'GET', url: '/admin/zones' })).statusCode).toBe(401);
    const forbidden = await app.inject({ method: 'GET', url: '/admin/zones', headers: { authorization: clerk } });
    expect(forbidden.statusCode).toBe(403);
    const allowed = await app.inject({ method: 'GET', url: '/admin/zones', headers: { authorization: admin } });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json().zones.map((z: { id: string }) => z.id)).toContain('district-sis');
  });

  it('creates, changes and deletes a zone; refuses invalid definitions with every problem', async () => {
    const zone: Record<string, any> = { ...sisZone(), id: 'lab-zone', name: 'Lab' };
    delete zone['$schema'];
    const created = await app.inject({ method: 'PUT', url: '/admin/zones/lab-zone', headers: { authorization: admin }, payload: zone });
    expect(created.statusCode).toBe(201);
    const changed = await app.inject({ method: 'PUT', url: '/admin/zones/lab-zone', headers: { authorization: admin }, payload: { ...zone, name: 'Lab 2' } });
    expect(changed.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/admin/zones/lab-zone', headers: { authorization: admin } })).json().name).toBe('Lab 2');
    const invalid = await app.inject({ method: 'PUT', url: '/admin/zones/lab-zone', headers: { authorization: admin }, payload: { ...zone, maxMessageBytes: 1, nodeAgent: { ...zone.nodeAgent, rights: { Spaceship: ['Provide'] } } } });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.headers['content-type']).toContain('application/problem+json');
    expect(invalid.json().problems.length).toBeGreaterThan(0);
    expect((await app.inject({ method: 'GET', url: '/admin/zones/lab-zone', headers: { authorization: admin } })).json().name).toBe('Lab 2');
    const mismatch = await app.inject({ method: 'PUT', url: '/admin/zones/other', headers: { authorization: admin }, payload: zone });
    expect(mismatch.statusCode).toBe(422);
    expect((await app.inject({ method: 'DELETE', url: '/admin/zones/lab-zone', headers: { authorization: admin } })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: '/admin/zones/lab-zone', headers: { authorization: admin } })).statusCode).toBe(404);
  });

  it('refuses every change to the NationalRouter zone', async () => {
    const national = JSON.parse(readFileSync(join(DEFAULT_ZONES_DIR, 'national-router.json'), 'utf8')) as Record<string, unknown>;
    for (const call of [
      { method: 'PUT' as const, url: '/admin/zones/NationalRouter', payload: national },
      { method: 'DELETE' as const, url: '/admin/zones/NationalRouter' },
      { method: 'PUT' as const, url: '/admin/zones/NationalRouter/agents/district-0499901/rights', payload: { StudentRecordExchange: ['Provide'] } },
    ]) {
      const response = await app.inject({ ...call, headers: { authorization: admin } });
      expect(response.statusCode, call.url).toBe(403);
      expect(response.json().type).toBe('urn:rex:node:zone-read-only');
    }
  });

  it("changes an agent's rights, and the zone enforces the new rights at once", async () => {
    const register = {
      type: 'SIF_Register' as const,
      version: SIF_VERSION,
      header: newHeader('SIS-AGENT'),
      name: 'SIS',
      versions: ['2.4'],
      maxBufferSize: 65536,
      mode: 'Pull' as const,
    };
    const post = async (message: Parameters<typeof encodeSif>[0]) => {
      const response = await app.inject({ method: 'POST', url: '/zones/district-sis', headers: { 'content-type': 'application/xml' }, payload: encodeSif(message, 'xml') });
      const decoded = decodeSif(response.body, 'xml');
      if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Ack') throw new Error(response.body);
      return decoded.message;
    };
    expect((await post(register)).status?.code).toBe(0);
    const provide = () => ({ type: 'SIF_Provide' as const, version: SIF_VERSION, header: newHeader('SIS-AGENT'), objects: [{ objectName: 'SchoolInfo' }] });
    const url = '/admin/zones/district-sis/agents/SIS-AGENT/rights';
    const current = (await app.inject({ method: 'GET', url, headers: { authorization: admin } })).json();
    expect(current.SchoolInfo).toContain('Provide');
    const changed = await app.inject({ method: 'PUT', url, headers: { authorization: admin }, payload: { ...current, SchoolInfo: ['Respond'] } });
    expect(changed.statusCode).toBe(200);
    expect((await post(provide())).error).toMatchObject({ category: 4, code: 3 });
    const bad = await app.inject({ method: 'PUT', url, headers: { authorization: admin }, payload: { SchoolInfo: ['Fly'] } });
    expect(bad.statusCode).toBe(422);
    await app.inject({ method: 'PUT', url, headers: { authorization: admin }, payload: current });
    expect((await post(provide())).status?.code).toBe(0);
    expect((await app.inject({ method: 'GET', url: '/admin/zones/district-sis/agents/NOBODY/rights', headers: { authorization: admin } })).statusCode).toBe(404);
  });
});
