import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeSchema } from '../../src/node/node-schema.js';
import { openDatabase } from '../../src/storage/database.js';
import { listTransfers, moveTransfer, openTransfer, type NewTransfer } from '../../src/transfer/transfer-store.js';
import { createTestDatabase } from '../support/database.js';

let orm: MikroORM;
const registrar = { username: 'rita', name: 'Registrar, Rita' };

function request(id: string, studentId: string): NewTransfer {
  return {
    side: 'releasing',
    requestMessageId: id,
    studentId,
    studentName: 'Abrams, Jenna',
    demographics: { firstName: 'Jenna', middleName: 'Marie', lastSurname: 'Abrams', birthDate: '2009-02-12', gender: 'Female' },
    requestingDistrict: { ncesId: '2799901', name: 'Ten Lakes Public Schools' },
    releasingDistrict: { ncesId: '0499901', name: 'Saguaro Unified School District' },
    requestedBy: { username: 'admin', name: 'Administrator, System' },
    requestComments: 'Enrolled 07/25',
  };
}

beforeAll(async () => {
  orm = await openDatabase(await createTestDatabase('node'), nodeSchema);
});

afterAll(async () => {
  await orm?.close(true);
});

describe('records transfers', () => {
  it('opens one transfer per request message, however often it arrives', async () => {
    const first = await openTransfer(orm.em.fork(), request('MSG-A', 'S-1'), 'router');
    const again = await openTransfer(orm.em.fork(), request('MSG-A', 'S-1'), 'router');
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.duplicate).toBe(true);
    expect(again.transfer.id).toBe(first.transfer.id);
    expect((await listTransfers(orm.em.fork(), { studentId: 'S-1' })).length).toBe(1);
  });

  it('records every status change with its time and actor, and refuses moves the machine forbids', async () => {
    const opened = await openTransfer(orm.em.fork(), request('MSG-B', 'S-2'), 'router');
    if (!opened.ok) throw new Error('not opened');
    const id = opened.transfer.id;
    expect((await moveTransfer(orm.em.fork(), id, 'pending-release', 'matching')).ok).toBe(true);
    const released = await moveTransfer(orm.em.fork(), id, 'released', 'rita', { decidedBy: registrar, note: 'Records sent' });
    expect(released).toMatchObject({ ok: true, transfer: { status: 'released', decidedBy: registrar, decisionComments: 'Records sent' } });
    expect(await moveTransfer(orm.em.fork(), id, 'rejected', 'rita')).toMatchObject({ ok: false, reason: 'not-allowed' });
    const [listed] = await listTransfers(orm.em.fork(), { studentId: 'S-2' });
    expect(listed?.history.map((e) => [e.status, e.actor])).toEqual([
      ['requested', 'router'],
      ['pending-release', 'matching'],
      ['released', 'rita'],
    ]);
    expect(listed?.history.every((e) => e.at instanceof Date)).toBe(true);
    expect(await moveTransfer(orm.em.fork(), '00000000-0000-0000-0000-000000000000', 'released', 'rita')).toMatchObject({ ok: false, reason: 'not-found' });
  });

  it('lets only one of two people deciding at the same time win', async () => {
    const opened = await openTransfer(orm.em.fork(), request('MSG-C', 'S-3'), 'router');
    if (!opened.ok) throw new Error('not opened');
    await moveTransfer(orm.em.fork(), opened.transfer.id, 'pending-release', 'matching');
    const outcomes = await Promise.all([
      moveTransfer(orm.em.fork(), opened.transfer.id, 'released', 'rita', { decidedBy: registrar }),
      moveTransfer(orm.em.fork(), opened.transfer.id, 'rejected', 'sam', { decidedBy: { username: 'sam', name: 'Clerk, Sam' } }),
    ]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.find((o) => !o.ok)).toMatchObject({ ok: false });
    const [listed] = await listTransfers(orm.em.fork(), { studentId: 'S-3' });
    expect(listed?.history.filter((e) => e.status === 'released' || e.status === 'rejected')).toHaveLength(1);
  });

  it('lists the whole district newest first', async () => {
    // Requested a minute apart, later than anything other tests of this file open.
    const start = Date.now() + 60_000;
    for (const [n, id, student] of [[1, 'MSG-L1', 'S-L1'], [2, 'MSG-L2', 'S-L2'], [3, 'MSG-L3', 'S-L3']] as const) {
      const opened = await openTransfer(orm.em.fork(), { ...request(id, student), requestedAt: new Date(start + n * 60_000) }, 'router');
      expect(opened.ok).toBe(true);
    }
    const all = await listTransfers(orm.em.fork());
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(all.slice(0, 3).map((t) => t.studentId)).toEqual(['S-L3', 'S-L2', 'S-L1']);
    const times = all.map((t) => t.requestedAt.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});
