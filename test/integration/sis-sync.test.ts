import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startInitialSync, syncProgress } from '../../src/sis-sync/initial-sync.js';
import { SisAgent } from '../../src/sis-agent/sis-agent.js';
import { buildSisRoster } from '../../src/sis-agent/sis-roster.js';
import { queueDepth } from '../../src/zones/zone-queue.js';
import { SIS_REF, SIS_SAMPLES, STUDENT_XML } from '../support/sis-samples.js';
import { SIS_ZONE as ZONE, sisHeader as header, startSisSyncApp, type SisSyncApp } from '../support/sis-sync-app.js';

let sis: SisSyncApp;
let orm: MikroORM;
let app: FastifyInstance;
const post: SisSyncApp['post'] = (xml) => sis.post(xml);
const publish: SisSyncApp['publish'] = (...args) => sis.publish(...args);
const drain = () => sis.drain();
const get: SisSyncApp['get'] = (...args) => sis.get(...args);
const failures: SisSyncApp['failures'] = (id) => sis.failures(id);

// Each test has its own database: the SIS registers (pull) and provides everything it publishes.
beforeEach(async () => {
  sis = await startSisSyncApp([], { samples: false });
  ({ orm, app } = sis);
});

afterEach(async () => {
  await sis?.close();
});

/** Publishes an Add of every sample object and waits until they are applied. */
async function addSamples(): Promise<void> {
  for (const [name, xml] of SIS_SAMPLES) await publish(name, 'Add', xml);
  await drain();
}

describe('SIF events into the Ed-Fi store', () => {
  it('applies an Add of every object, and the records appear through the Ed-Fi API', async () => {
    await addSamples();
    expect(await queueDepth(orm.em.fork(), ZONE, 'REX-NODE')).toEqual({ queued: 0, blocked: 0 });
    const [student] = await get('students', 'studentUniqueId=708000001');
    expect(student).toMatchObject({ firstName: 'Owen', lastSurname: 'Blackwell', birthDate: '2010-02-04' });
    expect(await get('schools', 'schoolId=49990100001')).toHaveLength(1);
    expect(await get('studentSchoolAssociations', 'studentUniqueId=708000001')).toMatchObject([{ entryDate: '2025-08-13', entryGradeLevelDescriptor: 'uri://ed-fi.org/GradeLevelDescriptor#Ninth grade' }]);
    expect(await get('studentContactAssociations', 'studentUniqueId=708000001')).toMatchObject([{ relationDescriptor: 'uri://ed-fi.org/RelationDescriptor#Mother' }]);
    expect(await get('sections', 'sectionIdentifier=SPAN1-01')).toHaveLength(1);
    expect(await get('studentSectionAssociations', 'studentUniqueId=708000001')).toMatchObject([{ beginDate: '2025-08-13', endDate: '2025-12-19' }]);
    expect(await get('studentSchoolAttendanceEvents', 'studentUniqueId=708000001')).toMatchObject([{ attendanceEventCategoryDescriptor: 'uri://ed-fi.org/AttendanceEventCategoryDescriptor#Tardy' }]);
    const rows = await orm.em.fork().execute<Array<{ resource: string }>>(`SELECT resource FROM sif_ref_map WHERE zone_id = ? AND object_name = 'StudentPersonal' AND ref_id = ? ORDER BY position`, [ZONE, SIS_REF.student]);
    expect(rows.map((r) => r.resource)).toEqual(['students', 'studentEducationOrganizationAssociations']);
  });

  it('applies a partial Change: only the elements present change, other values and API-set properties stay', async () => {
    await addSamples();
    const [before] = await get('students', 'studentUniqueId=708000001');
    const { id, _etag, _lastModifiedDate, ...body } = before as Record<string, unknown>;
    const put = await app.inject({ method: 'PUT', url: `/data/v3/ed-fi/students/${String(id)}`, payload: { ...body, maidenName: 'Set through the API' } });
    expect(put.statusCode, put.body).toBe(204);
    await publish(
      'StudentPersonal',
      'Change',
      `<StudentPersonal RefId="${SIS_REF.student}"><Name Type="04"><LastName>Blackwell-Ortiz</LastName></Name><PhoneNumberList><PhoneNumber Type="0096" SIF_Action="Delete"><Number>480-555-0115</Number></PhoneNumber><PhoneNumber Type="0350"><Number>480-555-0199</Number></PhoneNumber></PhoneNumberList></StudentPersonal>`,
    );
    await drain();
    const [student] = await get('students', 'studentUniqueId=708000001');
    expect(student).toMatchObject({ id, firstName: 'Owen', middleName: 'Liam', lastSurname: 'Blackwell-Ortiz', birthDate: '2010-02-04', maidenName: 'Set through the API' });
    const [association] = await get('studentEducationOrganizationAssociations', 'studentUniqueId=708000001');
    expect(association!['telephones']).toEqual([{ telephoneNumberTypeDescriptor: 'uri://ed-fi.org/TelephoneNumberTypeDescriptor#Mobile', telephoneNumber: '480-555-0199', orderOfPriority: 1 }]);
    expect(association!['addresses']).toHaveLength(1);
    expect(association!['races']).toEqual([{ raceDescriptor: 'uri://ed-fi.org/RaceDescriptor#White' }]);
  });

  it('applies a Delete, and refuses (category 9) to delete a student other records still refer to', async () => {
    await addSamples();
    await publish('StudentDailyAttendance', 'Delete', `<StudentDailyAttendance StudentPersonalRefId="${SIS_REF.student}" SchoolInfoRefId="${SIS_REF.school}" Date="2025-09-10" SchoolYear="2026"/>`);
    const refused = await publish('StudentPersonal', 'Delete', `<StudentPersonal RefId="${SIS_REF.student}"/>`);
    await drain();
    expect(await get('studentSchoolAttendanceEvents', 'studentUniqueId=708000001')).toEqual([]);
    expect(await get('students', 'studentUniqueId=708000001')).toHaveLength(1);
    // Nothing was half-done: the student's district association is still there too.
    expect(await get('studentEducationOrganizationAssociations', 'studentUniqueId=708000001')).toHaveLength(1);
    expect(await failures(refused)).toMatchObject([{ object_name: 'StudentPersonal', category: 9, code: 1 }]);
    expect((await failures(refused))[0]!.reason).toContain('dependent-item-exists');
  });

  it('answers an object it cannot map with category 9, logs it with the SIF_MsgId, and still applies the others', async () => {
    await addSamples();
    const unknownStudent = '5C0000000000000000000000000000FF';
    const bad = await publish(
      'StudentSchoolEnrollment',
      'Add',
      `<StudentSchoolEnrollment RefId="5C0000000000000000000000000000EE" StudentPersonalRefId="${unknownStudent}" SchoolInfoRefId="${SIS_REF.school}" MembershipType="Home" TimeFrame="Current" SchoolYear="2026"><EntryDate>2025-08-13</EntryDate><GradeLevel><Code>09</Code></GradeLevel></StudentSchoolEnrollment>`,
    );
    const second = STUDENT_XML.replace(SIS_REF.student, '5C000000000000000000000000000044').replace('<LocalId>708000001</LocalId>', '<LocalId>708000002</LocalId>').replace('Owen', 'Mia');
    await publish('StudentPersonal', 'Add', second);
    await drain();
    expect(await failures(bad)).toEqual([
      { object_name: 'StudentSchoolEnrollment', category: 9, code: 3, reason: `StudentSchoolEnrollment 5C0000000000000000000000000000EE: @StudentPersonalRefId ${unknownStudent} refers to a StudentPersonal this node has not received` },
    ]);
    expect(await get('students', 'studentUniqueId=708000002')).toMatchObject([{ firstName: 'Mia' }]);
    // The error SIF_Ack settled the event: nothing waits for redelivery.
    expect(await queueDepth(orm.em.fork(), ZONE, 'REX-NODE')).toEqual({ queued: 0, blocked: 0 });
  });

  it('loads every object of the SIF_Response packets of an initial sync, counting failures', async () => {
    const started = await startInitialSync(orm.em.fork(), ZONE, 'StudentPersonal');
    if (started.kind !== 'sent') throw new Error(JSON.stringify(started));
    const good = STUDENT_XML.replace(SIS_REF.student, '5C000000000000000000000000000055').replace('<LocalId>708000001</LocalId>', '<LocalId>708000005</LocalId>').replace('Owen', 'Noah');
    const bad = STUDENT_XML.replace(SIS_REF.student, '5C000000000000000000000000000056').replace('<LocalId>708000001</LocalId>', '<LocalId>708000006</LocalId>').replace('<BirthDate>2010-02-04</BirthDate>', '');
    const response = (packet: number, more: boolean, objects: string) =>
      `<SIF_Message xmlns="http://www.sifinfo.org/infrastructure/2.x" Version="2.4"><SIF_Response>${header()}<SIF_RequestMsgId>${started.msgId}</SIF_RequestMsgId><SIF_PacketNumber>${packet}</SIF_PacketNumber><SIF_MorePackets>${more ? 'Yes' : 'No'}</SIF_MorePackets><SIF_ObjectData>${objects}</SIF_ObjectData></SIF_Response></SIF_Message>`;
    expect((await post(response(1, true, good))).status?.code).toBe(0);
    expect((await post(response(2, false, bad))).status?.code).toBe(0);
    await drain();
    expect(await syncProgress(orm.em.fork(), ZONE, started.msgId)).toEqual({ objectName: 'StudentPersonal', packets: 2, objects: 1, failures: 1, complete: true, error: null });
    expect(await get('students', 'studentUniqueId=708000005')).toMatchObject([{ firstName: 'Noah' }]);
    expect(await get('students', 'studentUniqueId=708000006')).toEqual([]);
  });

  it('runs the simulated SIS in push mode: it publishes, and answers an initial sync pushed to it', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const roster = buildSisRoster({ students: 2, district: { ncesId: '0499901', name: 'Saguaro Unified', state: 'AZ' } });
    const agent = new SisAgent({ zoneUrl: `${address}/zones/${ZONE}`, mode: 'push', roster });
    try {
      await agent.connect();
      const schools = roster.byName('SchoolInfo');
      await agent.publishAll(schools);
      await drain();
      expect((await get('schools', 'limit=100')).length).toBeGreaterThanOrEqual(schools.length);
      const started = await startInitialSync(orm.em.fork(), ZONE, 'SchoolInfo');
      if (started.kind !== 'sent') throw new Error(JSON.stringify(started));
      for (let i = 0; i < 100 && !(await syncProgress(orm.em.fork(), ZONE, started.msgId))?.complete; i++) {
        await drain();
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await syncProgress(orm.em.fork(), ZONE, started.msgId)).toMatchObject({ objects: schools.length, failures: 0, complete: true });
      expect(agent.answered).toBe(1);
    } finally {
      await agent.stop();
    }
  });
});
