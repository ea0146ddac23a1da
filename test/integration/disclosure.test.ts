import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSFER_LEGAL_BASIS, disclosuresOf, formatDisclosure, recordDisclosure, type DisclosureEntry } from '../../src/disclosure/disclosure-log.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { openDatabase } from '../../src/storage/database.js';
import { createTestDatabase } from '../support/database.js';

let orm: MikroORM;
const em = () => orm.em.fork();

const tenLakes = { ncesId: '2799901', name: 'Ten Lakes Public Schools' };

function entry(studentId: string, changes: Partial<DisclosureEntry>): DisclosureEntry {
  return {
    action: 'release',
    actor: { username: 'rita', name: 'Registrar, Rita' },
    student: { id: studentId, name: 'Abrams, Jenna' },
    recordTypes: ['transcripts', 'immunizations'],
    district: tenLakes,
    redisclosureNotice: true,
    ...changes,
  };
}

beforeAll(async () => {
  orm = await openDatabase(await createTestDatabase('node'), nodeSchema);
});

afterAll(async () => {
  await orm?.close(true);
});

describe('disclosure log', () => {
  it('records who, when, which student, what, to whom, why and whether the notice went along', async () => {
    const at = new Date('2026-11-24T15:30:00Z');
    const written = await recordDisclosure(em(), entry('604123', { occurredAt: at, transferId: '6d2f3c1e-8c6a-4b3f-9a51-1f1e2d3c4b5a', comments: 'Enrolled 11/20?' }));
    expect(written).toEqual({
      id: expect.any(String),
      occurredAt: at,
      action: 'release',
      actor: { username: 'rita', name: 'Registrar, Rita' },
      student: { id: '604123', name: 'Abrams, Jenna' },
      recordTypes: ['transcripts', 'immunizations'],
      district: tenLakes,
      legalBasis: TRANSFER_LEGAL_BASIS,
      redisclosureNotice: true,
      transferId: '6d2f3c1e-8c6a-4b3f-9a51-1f1e2d3c4b5a',
      comments: 'Enrolled 11/20?',
    });
    expect(TRANSFER_LEGAL_BASIS).toMatch(/99\.31\(a\)\(2\).*seeks or intends to enroll/);
    expect(formatDisclosure(written)).toContain('to Ten Lakes Public Schools (2799901)');
  });

  it('answers per student, newest first, and only about that student', async () => {
    const times = ['2026-11-20T09:00:00Z', '2026-11-21T09:00:00Z', '2026-11-22T09:00:00Z'].map((t) => new Date(t));
    await recordDisclosure(em(), entry('S-77', { action: 'request', occurredAt: times[0], recordTypes: [], redisclosureNotice: false, actor: { username: 'system', name: 'Records exchange' } }));
    await recordDisclosure(em(), entry('S-77', { action: 'release', occurredAt: times[1] }));
    await recordDisclosure(em(), entry('S-77', { action: 'view', occurredAt: times[2], recordTypes: ['transcripts'] }));
    await recordDisclosure(em(), entry('S-78', { action: 'rejection', occurredAt: times[2] }));
    const log = await disclosuresOf(em(), 'S-77');
    expect(log.map((d) => [d.action, d.occurredAt.toISOString()])).toEqual([
      ['view', '2026-11-22T09:00:00.000Z'],
      ['release', '2026-11-21T09:00:00.000Z'],
      ['request', '2026-11-20T09:00:00.000Z'],
    ]);
    expect(log[2]?.recordTypes).toEqual([]);
    expect(await disclosuresOf(em(), 'S-none')).toEqual([]);
  });

  it('commits and rolls back with the change it records', async () => {
    await expect(
      em().transactional(async (tx) => {
        await recordDisclosure(tx, entry('S-rollback', {}));
        throw new Error('release failed');
      }),
    ).rejects.toThrow('release failed');
    expect(await disclosuresOf(em(), 'S-rollback')).toEqual([]);
  });

  it('is append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    const written = await recordDisclosure(em(), entry('S-99', {}));
    await expect(em().execute('UPDATE disclosure_log SET redisclosure_notice = false WHERE id = ?', [written.id])).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(em().execute('DELETE FROM disclosure_log WHERE id = ?', [written.id])).rejects.toThrow(/append-only: DELETE refused/);
    await expect(em().execute('TRUNCATE disclosure_log')).rejects.toThrow(/append-only: TRUNCATE refused/);
    const [kept] = await disclosuresOf(em(), 'S-99');
    expect(kept).toEqual(written);
  });

  it('refuses an unknown action', async () => {
    await expect(recordDisclosure(em(), entry('S-1', { action: 'leak' as never }))).rejects.toThrow(/unknown disclosure action/);
  });
});
