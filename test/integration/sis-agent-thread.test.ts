import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSisAgentThread } from '../../src/sis-sync/agent-thread.js';
import { queueDepth } from '../../src/zones/zone-queue.js';
import { testNodeConfig } from '../support/node-config.js';
import { SIS_ZONE, startSisSyncApp, type SisSyncApp } from '../support/sis-sync-app.js';
import { SIS_REF, STUDENT_XML } from '../support/sis-samples.js';

/*
 * The node agent in its SIS agent thread (src/sis-sync/agent-thread.ts), as
 * a node process runs it: the thread has its own connections, and the app
 * reaches it only through wake-ups and drains.
 */

let sync: SisSyncApp;

beforeAll(async () => {
  // The base samples are published and drained through the thread here.
  sync = await startSisSyncApp([], { thread: true });
}, 60_000);

afterAll(async () => {
  await sync?.close();
});

function student(refId: string, localId: string, edit: (xml: string) => string = (xml) => xml): string {
  return edit(STUDENT_XML.replace(SIS_REF.student, refId).replace('<LocalId>708000001</LocalId>', `<LocalId>${localId}</LocalId>`));
}

describe('the SIS node agent in its own thread', () => {
  it('has applied the samples the SIS published, and nothing waits in its queue', async () => {
    expect(await sync.get('students', 'studentUniqueId=708000001')).toMatchObject([{ firstName: 'Owen', lastSurname: 'Blackwell' }]);
    expect(await queueDepth(sync.orm.em.fork(), SIS_ZONE, 'REX-NODE')).toEqual({ queued: 0, blocked: 0 });
  });

  it('applies an Add and then a Change of the same student in order, and a drain returns once both are in the store', async () => {
    const refId = '5C0000000000000000000000000000A1';
    await sync.publish('StudentPersonal', 'Add', student(refId, '708000101'));
    await sync.publish('StudentPersonal', 'Change', `<StudentPersonal RefId="${refId}"><Name Type="04"><LastName>Blackwell</LastName><FirstName>Rowan</FirstName></Name></StudentPersonal>`);
    await sync.drain();
    expect(await sync.get('students', 'studentUniqueId=708000101')).toMatchObject([{ firstName: 'Rowan', birthDate: '2010-02-04' }]);
  });

  it('answers an object it cannot map with category 9 from the thread, and the zone settles the event with it', async () => {
    const id = await sync.publish('StudentPersonal', 'Add', student('5C0000000000000000000000000000A2', '708000102', (xml) => xml.replace('<BirthDate>2010-02-04</BirthDate>', '')));
    await sync.drain();
    expect(await sync.failures(id)).toMatchObject([{ object_name: 'StudentPersonal', category: 9, code: 3 }]);
    expect(await sync.get('students', 'studentUniqueId=708000102')).toEqual([]);
    expect(await queueDepth(sync.orm.em.fork(), SIS_ZONE, 'REX-NODE')).toEqual({ queued: 0, blocked: 0 });
  });
});

describe('a SIS agent thread that cannot reach its database', () => {
  it('reports the failure, starts again, leaves no drain waiting, and stops', async () => {
    const errors: string[] = [];
    const restarts: number[] = [];
    const log = {
      info() {},
      warn: (object: object) => void restarts.push((object as { restartInMs: number }).restartInMs),
      error: (_object: object, message: string) => void errors.push(message),
    };
    const config = testNodeConfig('postgres://nobody:wrong@127.0.0.1:1/none', { ncesId: '0499903', name: 'Unreachable USD', state: 'AZ' });
    const thread = startSisAgentThread({ config, databaseUrl: 'postgres://nobody:wrong@127.0.0.1:1/none' }, log);
    try {
      await expect(thread.drain()).rejects.toThrow(/SIS agent thread/);
      // Started again after each failure: a second report comes from a second thread.
      await expect.poll(() => errors.length, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(2);
      expect(errors[0]).toBe('the SIS agent thread failed');
      // Each quick failure doubles the wait before the next start.
      await expect.poll(() => restarts.length, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(2);
      expect(restarts.slice(0, 2)).toEqual([1000, 2000]);
    } finally {
      await thread.stop();
    }
  }, 60_000);
});
